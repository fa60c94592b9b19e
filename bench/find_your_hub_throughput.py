"""Benchmark: find your hub, school search and the school API against a bare Django view.

Measured as a new user would run it: the quick start's data (migrate, load-demo and
collectstatic in a throwaway data dir, or `--reuse DIR`), gunicorn with 2 sync workers
(bench.bench_settings, CPDNET_DEBUG=0), `wrk -t2 -c16`, and every page in the same run as
/bench/constant/, a view with no database that returns a 700-byte JSON constant, alternating
bare, page, bare, page... Each page cycles over many real inputs (postcodes and outcodes of
open schools, name queries made from school names, URNs), so that no answer is served from a
cache. It prints the rps of each page and of the bare view, their ratio and PASS/FAIL against
the page's target:

| page | target |
| --- | --- |
| `GET /find-your-hub/?q=POSTCODE` and `?q=OUTCODE` (signed out) | >= 0.25x |
| `GET /find-your-hub/?q=NAME WORDS` and `GET /api/v1/schools?q=NAME WORDS` | >= 0.25x |
| `GET /api/v1/schools/{urn}` | >= 0.7x |

    .venv/bin/python bench/find_your_hub_throughput.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cpdnet_bench \
        .venv/bin/python bench/find_your_hub_throughput.py

It prints figures; it is not a test. Exit status 0 when every target is met and no request
failed, 1 otherwise.
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote_plus

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import (  # noqa: E402
    bench_env,
    database_label,
    fresh_database,
    make_var_dir,
    migrate,
    remove_var_dir,
    run_cpdnet,
)
from bench.api_throughput import (  # noqa: E402
    CONSTANT_PATH,
    HOST,
    add_load_arguments,
    free_port,
    get,
    python_load,
    start_gunicorn,
    stop_gunicorn,
    uses_wrk,
    wait_until_ready,
    wrk_load,
)

TARGETS = {
    "postcode": 0.25,
    "outcode": 0.25,
    "name page": 0.25,
    "name API": 0.25,
    "school API": 0.7,
}

# Inputs drawn with a fixed seed from the open schools: their postcodes, outcodes, URNs, and
# name queries as people type them (two words of a name, or a word and a prefix of the next).
PICK_INPUTS = """
import json, random
from cpdnet.schools.models import School, SchoolStatus
from cpdnet.schools.search import words
rows = list(School.objects.filter(status__in=SchoolStatus.open_values()).exclude(postcode="")
            .order_by("urn").values_list("urn", "postcode", "name"))
sample = random.Random(2026).sample(rows, min({count}, len(rows)))
queries = []
for number, (_, _, name) in enumerate(sample):
    name_words = [word for word in words(name) if word not in {{"school", "and", "of"}}]
    if len(name_words) >= 2:
        second = name_words[1] if number % 2 else name_words[1][:4]
        queries.append(f"{{name_words[0]}} {{second}}")
print(json.dumps({{
    "postcodes": [postcode for _, postcode, _ in sample],
    "outcodes": sorted({{postcode.split()[0] for _, postcode, _ in sample}}),
    "urns": [urn for urn, _, _ in sample],
    "queries": queries,
}}))
"""


def paths_from(inputs: dict) -> dict[str, list[str]]:
    return {
        "postcode": [f"/find-your-hub/?q={quote_plus(code)}" for code in inputs["postcodes"]],
        "outcode": [f"/find-your-hub/?q={quote_plus(code)}" for code in inputs["outcodes"]],
        "name page": [f"/find-your-hub/?q={quote_plus(text)}" for text in inputs["queries"]],
        "name API": [f"/api/v1/schools?q={quote_plus(text)}" for text in inputs["queries"]],
        "school API": [f"/api/v1/schools/{urn}" for urn in inputs["urns"]],
    }


def prepare(var_dir: Path, env: dict, reuse: bool) -> None:
    if reuse:
        print(f"reusing the data in {var_dir}")
        return
    fresh_database()
    migrate(env)
    for step in (["load-demo"], ["collectstatic", "--noinput"]):
        started = time.perf_counter()
        run_cpdnet(step, env)
        print(f"{step[0]}: {time.perf_counter() - started:.1f} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_load_arguments(parser, rounds_help="rounds of bare, page for every page (default 2)")
    parser.set_defaults(concurrency=16)
    parser.add_argument("--inputs", type=int, default=300, help="schools the inputs come from")
    parser.add_argument("--reuse", type=Path, help="a data dir kept by an earlier run (--keep)")
    parser.add_argument("--only", choices=sorted(TARGETS), action="append", help="these pages")
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)
    use_wrk = uses_wrk(args)

    var_dir = args.reuse or make_var_dir("cpdnet-bench-find-your-hub-")
    (var_dir / "static").mkdir(exist_ok=True)
    env = bench_env(var_dir, CPDNET_ALLOWED_HOSTS=HOST)
    server = None
    names = args.only or list(TARGETS)
    phases: dict[str, list[dict]] = {name: [] for name in names}
    bare: dict[str, list[dict]] = {name: [] for name in names}
    print(f"database: {database_label(var_dir)}")
    print(f"data dir: {var_dir}")
    try:
        prepare(var_dir, env, reuse=args.reuse is not None)
        output = run_cpdnet(["shell", "-v", "0", "-c", PICK_INPUTS.format(count=args.inputs)], env)
        targets = paths_from(json.loads(output.strip().splitlines()[-1]))
        print(", ".join(f"{name}: {len(paths)} inputs" for name, paths in targets.items()))

        port = free_port()
        server_env = dict(env, DJANGO_SETTINGS_MODULE="bench.bench_settings")
        log_path = var_dir / "gunicorn.log"
        server = start_gunicorn(server_env, port, args.workers, log_path)
        wait_until_ready(server, port, log_path)
        for name in names:
            for path in targets[name][:3]:
                status, body = get(port, path)
                if status != 200:
                    raise SystemExit(f"{path} -> {status}\n{body[:500]!r}")
        generator = "wrk -t2" if use_wrk else "Python clients"
        print(
            f"load: {generator}, {args.concurrency} connections, {args.warmup:g} s warm-up + "
            f"{args.duration:g} s per phase, gunicorn {args.workers} sync workers, "
            f"{os.cpu_count()} cores"
        )
        options = {"concurrency": args.concurrency, "warmup": args.warmup}
        with tempfile.TemporaryDirectory() as work_dir:

            def load(paths: list[str]) -> dict:
                if use_wrk:
                    return wrk_load(
                        port, paths, duration=args.duration, work_dir=Path(work_dir), **options
                    )
                return python_load(port, paths, duration=args.duration, **options)

            for round_number in range(1, args.rounds + 1):
                for name in names:
                    for label, paths, store in (
                        ("bare", [CONSTANT_PATH], bare),
                        (name, targets[name], phases),
                    ):
                        figures = load(paths)
                        store[name].append(figures)
                        print(
                            f"round {round_number} {label:10s}: {figures['rps']:8.1f} rps  "
                            f"{figures['errors']} errors  p50 {figures['p50_ms']:.1f} ms  "
                            f"p99 {figures['p99_ms']:.1f} ms"
                        )
        if server.poll() is not None:
            raise SystemExit(f"gunicorn died during the run:\n{log_path.read_text()}")
    finally:
        stop_gunicorn(server)
        if args.reuse is None:
            remove_var_dir(var_dir, args.keep)

    print()
    print(f"{'page':12s} {'page rps':>9s} {'bare rps':>9s} {'ratio':>6s}  target")
    passed = True
    for name in names:
        page_rps = statistics.mean(figures["rps"] for figures in phases[name])
        bare_rps = statistics.mean(figures["rps"] for figures in bare[name])
        errors = sum(figures["errors"] for figures in phases[name] + bare[name])
        ratio = page_rps / bare_rps if bare_rps else 0.0
        met = ratio >= TARGETS[name] and errors == 0
        passed &= met
        print(
            f"{name:12s} {page_rps:9.1f} {bare_rps:9.1f} {ratio:6.2f}  >= {TARGETS[name]} "
            f"{'PASS' if met else 'FAIL'}" + (f" ({errors} errors)" if errors else "")
        )
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
