"""Benchmark: requests per second of GET /api/v1/schools/{urn} against a constant Django view.

Sets up a fresh database in a throwaway data dir (migrate + load-demo), serves it with gunicorn
(2 sync workers, bench.bench_settings, CPDNET_DEBUG=0) on a free port of 127.0.0.1, then loads
it for a fixed time with a bounded load generator (4 concurrent clients), alternating the
school endpoint (A) and /bench/constant/ (B) as A B A B, and prints the mean rps of each,
their ratio and PASS/FAIL against the target ratio >= 0.5.

    .venv/bin/python bench/api_throughput.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cpdnet_bench \
        .venv/bin/python bench/api_throughput.py

It prints figures; it is not a test. Exit status 0 when the target is met and no request
failed, 1 otherwise.
"""

import argparse
import http.client
import multiprocessing
import os
import re
import shlex
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import (  # noqa: E402
    REPO,
    VENV_BIN,
    bench_env,
    database_label,
    fresh_database,
    make_var_dir,
    migrate,
    remove_var_dir,
    run_cpdnet,
)

HOST = "127.0.0.1"
CONSTANT_PATH = "/bench/constant/"
TARGET_RATIO = 0.5
WRK = Path("/usr/bin/wrk")

PICK_URNS = """
import random
from cpdnet.schools.models import School, SchoolStatus
urns = list(School.objects.filter(status__in=SchoolStatus.open_values())
            .order_by("urn").values_list("urn", flat=True))
print(" ".join(map(str, random.Random(2026).sample(urns, min({count}, len(urns))))))
"""


# --- the load generator (each client is a process with one HTTP/1.1 connection) ---------------


def _client(port, paths, offset, warmup, duration, ready, start, results):
    """Request paths in turn until the window closes; count what completed inside it."""
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    ready.put(os.getpid())
    start.wait()
    measure_from = time.monotonic() + warmup
    end = measure_from + duration
    done = errors = 0
    latencies = []
    failures = Counter()
    sizes = set()
    index = offset
    while True:
        began = time.monotonic()
        if began >= end:
            break
        path = paths[index % len(paths)]
        index += 1
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            body = response.read()
            status = response.status
            if response.will_close:  # gunicorn's sync worker closes after every response
                connection.close()
        except (OSError, http.client.HTTPException) as error:
            status, body = type(error).__name__, b""
            connection.close()
        finished = time.monotonic()
        if finished < measure_from:
            continue  # warm-up
        if finished > end:
            break  # completed after the window: not counted
        done += 1
        latencies.append(finished - began)
        if status != 200:
            errors += 1
            failures[f"{status} {path}"] += 1
        else:
            sizes.add(len(body))
    connection.close()
    results.put(
        {
            "done": done,
            "errors": errors,
            "latencies": latencies,
            "failures": dict(failures.most_common(5)),
            "sizes": sorted(sizes),
        }
    )


def python_load(port, paths, *, concurrency, warmup, duration):
    """Run `concurrency` client processes against the server; return the phase's figures."""
    context = multiprocessing.get_context("spawn")
    ready, results, start = context.Queue(), context.Queue(), context.Event()
    clients = [
        context.Process(
            target=_client,
            args=(
                port,
                paths,
                (len(paths) * n) // concurrency,
                warmup,
                duration,
                ready,
                start,
                results,
            ),
            daemon=True,
        )
        for n in range(concurrency)
    ]
    for client in clients:
        client.start()
    for _ in clients:
        ready.get(timeout=60)
    start.set()
    figures = [results.get(timeout=warmup + duration + 120) for _ in clients]
    for client in clients:
        client.join(timeout=10)
    latencies = sorted(latency for figure in figures for latency in figure["latencies"])
    done = sum(figure["done"] for figure in figures)
    failures = Counter()
    for figure in figures:
        failures.update(figure["failures"])
    return {
        "rps": done / duration,
        "requests": done,
        "errors": sum(figure["errors"] for figure in figures),
        "p50_ms": 1000 * latencies[len(latencies) // 2] if latencies else float("nan"),
        "p99_ms": 1000 * latencies[int(len(latencies) * 0.99)] if latencies else float("nan"),
        "failures": dict(failures.most_common(5)),
        "sizes": sorted({size for figure in figures for size in figure["sizes"]}),
    }


def wrk_load(port, paths, *, concurrency, warmup, duration, work_dir):
    """The same measurement with wrk (used only when /usr/bin/wrk exists)."""
    script = work_dir / "paths.lua"
    quoted = ",".join(f'"{path}"' for path in paths)
    script.write_text(
        f"local paths = {{{quoted}}}\nlocal i = 0\n"
        "request = function()\n  i = i + 1\n"
        '  return wrk.format("GET", paths[(i % #paths) + 1])\nend\n'
    )
    threads = min(concurrency, os.cpu_count() or 1)
    base = [str(WRK), f"-t{threads}", f"-c{concurrency}", "-s", str(script)]
    url = f"http://{HOST}:{port}/"
    subprocess.run([*base, f"-d{warmup:g}s", url], capture_output=True, check=True)
    output = subprocess.run(
        [*base, f"-d{duration:g}s", "--latency", url], capture_output=True, text=True, check=True
    ).stdout

    def number(pattern, default=0.0):
        match = re.search(pattern, output)
        return float(match.group(1)) if match else default

    def millis(label):
        match = re.search(rf"{label}\s+([\d.]+)(us|ms|s)\b", output)
        if not match:
            return float("nan")
        return float(match.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[match.group(2)]

    socket_errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", output))
    non_2xx = int(number(r"Non-2xx or 3xx responses:\s+(\d+)"))
    return {
        "rps": number(r"Requests/sec:\s+([\d.]+)"),
        "requests": int(number(r"(\d+) requests in")),
        "errors": non_2xx + socket_errors,
        "p50_ms": millis("50%"),
        "p99_ms": millis("99%"),
        "failures": {"non-2xx": non_2xx, "socket errors": socket_errors}
        if non_2xx or socket_errors
        else {},
        "sizes": [],
    }


# --- the server ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def start_gunicorn(env, port, workers, log_path):
    command = [
        str(VENV_BIN / "gunicorn"),
        "cpdnet.wsgi:application",
        "--chdir",
        str(REPO),
        "--workers",
        str(workers),
        "--worker-class",
        "sync",
        "--bind",
        f"{HOST}:{port}",
        "--log-level",
        "warning",
    ]
    print("server:", " ".join(shlex.quote(part) for part in command))
    log = open(log_path, "wb")  # noqa: SIM115 - closed when the server stops
    process = subprocess.Popen(
        command, env=env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    process.log = log
    return process


def stop_gunicorn(process) -> None:
    if process is None:
        return
    if process.poll() is None:
        process.terminate()  # SIGTERM: the arbiter stops its workers and exits
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)  # the session this script started
            process.wait(timeout=10)
    process.log.close()


def get(port, path):
    connection = http.client.HTTPConnection(HOST, port, timeout=10)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def wait_until_ready(process, port, log_path, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited ({process.returncode}):\n{log_path.read_text()}")
        try:
            status, _ = get(port, CONSTANT_PATH)
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"gunicorn did not answer within {timeout:.0f} s:\n{log_path.read_text()}")


# --- the benchmark ---------------------------------------------------------------------------


def add_load_arguments(parser: argparse.ArgumentParser, *, rounds_help: str) -> None:
    """The options every throughput benchmark shares: load, server and data dir."""
    parser.add_argument("--duration", type=float, default=10.0, help="seconds measured per phase")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds before each phase")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=2, help=rounds_help)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument(
        "--generator",
        choices=["auto", "python", "wrk"],
        default="auto",
        help="auto: wrk if /usr/bin/wrk exists, else the Python clients",
    )
    parser.add_argument("--keep", action="store_true", help="keep the throwaway data dir")


def uses_wrk(args: argparse.Namespace) -> bool:
    return args.generator == "wrk" or (args.generator == "auto" and WRK.exists())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_load_arguments(parser, rounds_help="A B pairs (default 2: A B A B)")
    parser.add_argument("--urns", type=int, default=300, help="open schools cycled over")
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)
    use_wrk = uses_wrk(args)

    var_dir = make_var_dir("cpdnet-bench-api-")
    (var_dir / "static").mkdir()
    env = bench_env(var_dir, CPDNET_ALLOWED_HOSTS=HOST)
    server = None
    print(f"database: {database_label(var_dir)}")
    print(f"data dir: {var_dir}")
    try:
        fresh_database()
        started = time.perf_counter()
        migrate(env)
        print(f"migrate: {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        summary = run_cpdnet(["load-demo"], env)
        print(f"load-demo: {time.perf_counter() - started:.1f} s")
        for line in summary.splitlines()[:1]:
            print(f"  {line}")
        output = run_cpdnet(["shell", "-v", "0", "-c", PICK_URNS.format(count=args.urns)], env)
        urns = output.strip().splitlines()[-1].split()
        school_paths = [f"/api/v1/schools/{urn}" for urn in urns]
        print(f"cycling over {len(school_paths)} open schools' URNs")

        port = free_port()
        server_env = dict(env, DJANGO_SETTINGS_MODULE="bench.bench_settings")
        log_path = var_dir / "gunicorn.log"
        server = start_gunicorn(server_env, port, args.workers, log_path)
        wait_until_ready(server, port, log_path)
        status, body = get(port, school_paths[0])
        constant_status, constant_body = get(port, CONSTANT_PATH)
        if status != 200 or constant_status != 200:
            raise SystemExit(
                f"not ready: {school_paths[0]} -> {status}, constant -> "
                f"{constant_status}\n{body[:300]!r}"
            )
        print(
            f"response sizes: school {len(body)} bytes ({school_paths[0]}), "
            f"constant {len(constant_body)} bytes"
        )
        generator = "wrk" if use_wrk else "Python (http.client, one process per client)"
        print(
            f"load: {generator}, concurrency {args.concurrency}, "
            f"{args.warmup:g} s warm-up + {args.duration:g} s per phase, "
            f"gunicorn {args.workers} sync workers, {os.cpu_count()} cores"
        )

        targets = {"school": school_paths, "constant": [CONSTANT_PATH]}
        phases = {"school": [], "constant": []}
        with tempfile.TemporaryDirectory() as work_dir:
            for round_number in range(1, args.rounds + 1):
                for name, paths in targets.items():
                    options = {
                        "concurrency": args.concurrency,
                        "warmup": args.warmup,
                        "duration": args.duration,
                    }
                    if use_wrk:
                        figures = wrk_load(port, paths, work_dir=Path(work_dir), **options)
                    else:
                        figures = python_load(port, paths, **options)
                    phases[name].append(figures)
                    print(
                        f"round {round_number} {name:8s}: {figures['rps']:8.1f} rps  "
                        f"{figures['requests']:6d} requests  {figures['errors']} errors  "
                        f"p50 {figures['p50_ms']:.1f} ms  p99 {figures['p99_ms']:.1f} ms"
                        + (f"  failures {figures['failures']}" if figures["failures"] else "")
                    )
        if server.poll() is not None:
            raise SystemExit(f"gunicorn died during the run:\n{log_path.read_text()}")
    finally:
        stop_gunicorn(server)
        remove_var_dir(var_dir, args.keep)

    school = statistics.mean(figures["rps"] for figures in phases["school"])
    constant = statistics.mean(figures["rps"] for figures in phases["constant"])
    errors = sum(figures["errors"] for runs in phases.values() for figures in runs)
    requests = sum(figures["requests"] for runs in phases.values() for figures in runs)
    ratio = school / constant if constant else 0.0
    passed = ratio >= TARGET_RATIO and errors == 0
    print()
    print(f"GET /api/v1/schools/{{urn}}: {school:.1f} rps (mean of {args.rounds})")
    print(f"GET {CONSTANT_PATH}:       {constant:.1f} rps (mean of {args.rounds})")
    print(f"errors: {errors} of {requests} requests (non-200 or failed)")
    print(
        f"ratio school/constant: {ratio:.2f} (target >= {TARGET_RATIO}): "
        f"{'PASS' if passed else 'FAIL'}"
    )
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
