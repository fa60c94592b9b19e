"""Shared helpers for the benchmarks: throwaway var dir, fresh database, subprocess env, the
load generator, the gunicorn server, their options, and the run of pages against the constant
view that the page benchmarks share."""

import argparse
import http.client
import json
import multiprocessing
import os
import re
import secrets
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from urllib.parse import unquote, urlsplit

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from dev import redis_answers  # noqa: E402 - the quick start's own test for a local Redis

VENV_BIN = REPO / ".venv" / "bin"
CPDNET = VENV_BIN / "cpdnet"
HOST = "127.0.0.1"
CONSTANT_PATH = "/bench/constant/"
WRK = Path("/usr/bin/wrk")


def make_var_dir(prefix: str) -> Path:
    return Path(tempfile.mkdtemp(prefix=prefix))


def remove_var_dir(var_dir: Path, keep: bool) -> None:
    if keep:
        print(f"kept the throwaway data dir {var_dir}")
    else:
        shutil.rmtree(var_dir, ignore_errors=True)


def bench_env(var_dir: Path, **extra: str) -> dict[str, str]:
    """Environment for cpdnet subprocesses: everything (SQLite, static, mail) under var_dir."""
    env = dict(os.environ)
    env.update(
        CPDNET_VAR_DIR=str(var_dir),
        CPDNET_STATIC_ROOT=str(var_dir / "static"),
        CPDNET_MEDIA_ROOT=str(var_dir / "media"),
        CPDNET_DEBUG="0",
        # This checkout's code first, whichever checkout the virtual environment was made in.
        PYTHONPATH=os.pathsep.join(
            filter(None, [str(REPO / "src"), str(REPO), env.get("PYTHONPATH", "")])
        ),
    )
    # Production settings want a real key and a cache shared by the server's processes.
    env.setdefault("CPDNET_SECRET_KEY", secrets.token_urlsafe(64))
    env.setdefault("CPDNET_SECURE_COOKIES", "0")
    env.setdefault(
        "CPDNET_CACHE_URL", "redis://127.0.0.1:6379/0" if redis_answers() else "database"
    )
    env.setdefault("DJANGO_SETTINGS_MODULE", "cpdnet.settings")
    for scope in ("EVENT_REGISTRATION", "CERTIFICATE_CHECK", "SIGN_IN_FAILURE"):
        for kind in ("IP", "ACCOUNT", "ALL"):
            env.setdefault(f"CPDNET_RATE_{scope}_{kind}", "1000000000/60")
    # Byte-code as a deployment has it, kept in the throwaway dir (not next to the sources):
    # with PYTHONDONTWRITEBYTECODE every process would compile ~550 modules (~1 s) at start.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(var_dir / "pycache")
    env.update(extra)
    return env


def database_label(var_dir: Path) -> str:
    url = os.environ.get("DATABASE_URL")
    if not url:
        return f"SQLite ({var_dir / 'cpdnet.sqlite3'})"
    parts = urlsplit(url)
    return f"{parts.scheme} database '{parts.path.lstrip('/')}' on {parts.hostname}:{parts.port}"


def fresh_database() -> None:
    """With DATABASE_URL set to PostgreSQL, (re)create that database empty.

    Only a database whose name contains "bench" is dropped, so a mistyped URL cannot wipe a
    real database. With SQLite nothing is needed: the file lives in the throwaway var dir.
    """
    url = os.environ.get("DATABASE_URL")
    if not url:
        return
    parts = urlsplit(url)
    if not parts.scheme.startswith(("postgres", "pgsql")):
        sys.exit(f"DATABASE_URL must be PostgreSQL or unset (SQLite), not {parts.scheme}")
    name = unquote(parts.path.lstrip("/"))
    import psycopg
    from psycopg import sql

    maintenance = parts._replace(path="/postgres", scheme="postgresql").geturl()
    with psycopg.connect(maintenance, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if exists:
            if "bench" not in name:
                sys.exit(
                    f"Refusing to empty database '{name}': use a database whose name contains "
                    "'bench' (e.g. cpdnet_bench); it is dropped and created again."
                )
            connection.execute(
                sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name))
            )
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def run_cpdnet(args: list[str], env: dict[str, str], quiet: bool = True) -> str:
    """Run `cpdnet ARGS` to completion; return its stdout, exit with its output on failure."""
    completed = subprocess.run(
        [str(CPDNET), *args], env=env, cwd=REPO, capture_output=True, text=True, check=False
    )
    if completed.returncode != 0:
        sys.stderr.write(completed.stdout + completed.stderr)
        raise SystemExit(f"cpdnet {' '.join(args)} failed with exit code {completed.returncode}")
    if not quiet:
        sys.stdout.write(completed.stdout)
    if args[:1] == ["migrate"] and env.get("CPDNET_CACHE_URL") == "database":
        run_cpdnet(["createcachetable"], env)
    return completed.stdout


def migrate(env: dict[str, str]) -> None:
    """Migrate, and make the cache table the `database` cache needs (a no-op with Redis)."""
    run_cpdnet(["migrate", "--noinput"], env)
    run_cpdnet(["createcachetable"], env)


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


# --- options ---------------------------------------------------------------------------------


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


# --- pages against the constant view (A B C rounds, with the pages' query counts) ------------


def page_bench_parser(
    description: str, *, rows: str, default: int, rows_help: str
) -> argparse.ArgumentParser:
    """The options of a benchmark of two pages against the constant view: load and server,
    how many rows to make (`--<rows>`) and `--queries-only`."""
    parser = argparse.ArgumentParser(description=description)
    add_load_arguments(parser, rounds_help="A B C rounds (default 2)")
    parser.add_argument(f"--{rows}", type=int, default=default, help=rows_help)
    parser.add_argument(
        "--queries-only", action="store_true", help="count queries; start no server"
    )
    return parser


def page_bench_env(prefix: str) -> tuple[Path, dict[str, str]]:
    """A throwaway data dir and the environment of a page benchmark's processes (the test
    client of the query count asks for `testserver`); print where the data lives."""
    var_dir = make_var_dir(prefix)
    env = bench_env(var_dir, CPDNET_ALLOWED_HOSTS=f"{HOST},testserver")
    print(f"database: {database_label(var_dir)}")
    print(f"data dir: {var_dir}")
    return var_dir, env


def migrate_fresh_database(env: dict[str, str]) -> None:
    """Empty the database (PostgreSQL; SQLite starts empty), migrate it and say how long."""
    fresh_database()
    started = time.perf_counter()
    migrate(env)
    print(f"migrate: {time.perf_counter() - started:.1f} s")


def count_page_queries(
    env: dict[str, str], script: str, paths: list[str], *, rows: str, found: str
) -> tuple[int, int, bool]:
    """Run a `cpdnet shell` script whose last line is the JSON
    {"few": [rows, {path: [queries, found]}], "many": [...]} and print, per path, whether the
    page asks as many queries with many rows as with few; return (few, many, constant)."""
    output = run_cpdnet(["shell", "-v", "0", "-c", script], env)
    counted = json.loads(output.strip().splitlines()[-1])
    (few, few_queries), (many, many_queries) = counted["few"], counted["many"]
    constant_queries = True
    for path in paths:
        (few_count, few_found), (many_count, many_found) = few_queries[path], many_queries[path]
        same = few_count == many_count
        constant_queries &= same
        print(
            f"SQL queries for GET {path}: {few_count} with {few} {rows} ({few_found} {found}), "
            f"{many_count} with {many} ({many_found} found): "
            f"{'constant' if same else 'GROWS'}"
        )
    return few, many, constant_queries


def load_pages_and_constant(
    args: argparse.Namespace,
    env: dict[str, str],
    var_dir: Path,
    pages: dict[str, str],
    *,
    server_env: dict[str, str] | None = None,
) -> tuple[dict[str, str], dict[str, list[dict]]]:
    """Serve with gunicorn (bench.bench_settings, `server_env` added) and load each page and
    then the constant view in turn, round after round (A B C A B C); return the targets and
    each target's figures per round. The server is stopped at the end, also on error."""
    targets = {**pages, "constant": CONSTANT_PATH}
    use_wrk = uses_wrk(args)
    port = free_port()
    server_env = dict(env, **(server_env or {}))
    if server_env["DJANGO_SETTINGS_MODULE"] == "cpdnet.settings":
        server_env["DJANGO_SETTINGS_MODULE"] = "bench.bench_settings"
    log_path = var_dir / "gunicorn.log"
    server = start_gunicorn(server_env, port, args.workers, log_path)
    try:
        wait_until_ready(server, port, log_path)
        for name, path in targets.items():
            status, body = get(port, path)
            if status != 200:
                raise SystemExit(f"not ready: {path} -> {status}\n{body[:300]!r}")
            print(f"response size: {name} {len(body)} bytes ({path})")
        generator = "wrk" if use_wrk else "Python (http.client, one process per client)"
        print(
            f"load: {generator}, concurrency {args.concurrency}, "
            f"{args.warmup:g} s warm-up + {args.duration:g} s per phase, "
            f"gunicorn {args.workers} sync workers, {os.cpu_count()} cores"
        )
        phases: dict[str, list[dict]] = {name: [] for name in targets}
        options = {
            "concurrency": args.concurrency,
            "warmup": args.warmup,
            "duration": args.duration,
        }
        with tempfile.TemporaryDirectory() as work_dir:
            for round_number in range(1, args.rounds + 1):
                for name, path in targets.items():
                    if use_wrk:
                        figures = wrk_load(port, [path], work_dir=Path(work_dir), **options)
                    else:
                        figures = python_load(port, [path], **options)
                    phases[name].append(figures)
                    print(
                        f"round {round_number} {name:9s}: {figures['rps']:8.1f} rps  "
                        f"{figures['requests']:6d} requests  {figures['errors']} errors  "
                        f"p50 {figures['p50_ms']:.1f} ms  p99 {figures['p99_ms']:.1f} ms"
                        + (f"  failures {figures['failures']}" if figures["failures"] else "")
                    )
        if server.poll() is not None:
            raise SystemExit(f"gunicorn died during the run:\n{log_path.read_text()}")
    finally:
        stop_gunicorn(server)
    return targets, phases


def report_against_constant(
    targets: dict[str, str],
    phases: dict[str, list[dict]],
    *,
    rounds: int,
    path_width: int,
    target_ratio: float,
) -> bool:
    """Print each target's mean rps, the failed requests and each page's ratio to the
    constant view; return whether no request failed and every ratio meets the target."""
    rps = {name: statistics.mean(f["rps"] for f in runs) for name, runs in phases.items()}
    errors = sum(f["errors"] for runs in phases.values() for f in runs)
    requests = sum(f["requests"] for runs in phases.values() for f in runs)
    print()
    for name, path in targets.items():
        print(f"GET {path:{path_width}s} {rps[name]:8.1f} rps (mean of {rounds})")
    print(f"errors: {errors} of {requests} requests (non-200 or failed)")
    passed = errors == 0
    for name in targets:
        if name == "constant":
            continue
        ratio = rps[name] / rps["constant"] if rps["constant"] else 0.0
        met = ratio >= target_ratio
        passed &= met
        print(
            f"ratio {name}/constant: {ratio:.2f} (target >= {target_ratio}): "
            f"{'PASS' if met else 'FAIL'}"
        )
    return passed
