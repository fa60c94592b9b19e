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
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import (  # noqa: E402
    CONSTANT_PATH,
    HOST,
    add_load_arguments,
    bench_env,
    database_label,
    free_port,
    fresh_database,
    get,
    make_var_dir,
    migrate,
    python_load,
    remove_var_dir,
    run_cpdnet,
    start_gunicorn,
    stop_gunicorn,
    uses_wrk,
    wait_until_ready,
    wrk_load,
)

TARGET_RATIO = 0.5

PICK_URNS = """
import random
from cpdnet.schools.models import School, SchoolStatus
urns = list(School.objects.filter(status__in=SchoolStatus.open_values())
            .order_by("urn").values_list("urn", flat=True))
print(" ".join(map(str, random.Random(2026).sample(urns, min({count}, len(urns))))))
"""


# --- the benchmark ---------------------------------------------------------------------------


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
