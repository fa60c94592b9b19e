"""Benchmark: requests per second of the public catalogue against a constant Django view.

Sets up a fresh database in a throwaway data dir (migrate + load-demo), adds offerings until
there are at least 2,000, serves it with gunicorn (2 sync workers, bench.bench_settings,
CPDNET_DEBUG=0) on a free port of 127.0.0.1, then loads it for a fixed time with a bounded load
generator (4 concurrent clients), alternating the catalogue's first page (A), a filtered page
(B) and /bench/constant/ (C) as A B C A B C, and prints the mean rps of each, the ratios A/C and
B/C and PASS/FAIL against the target ratio >= 0.25. Before the load, it counts the SQL queries
of both catalogue pages in-process (Django's test Client, same database) with 20 offerings and
with all of them: the count must not grow with the rows.

    .venv/bin/python bench/catalogue_throughput.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cpdnet_bench \
        .venv/bin/python bench/catalogue_throughput.py

It prints figures; it is not a test. Exit status 0 when the targets are met, the query count
is constant and no request failed, 1 otherwise.
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

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

CATALOGUE_PATH = "/programmes/"
FILTERED_PATH = "/programmes/?subject=maths&open_only=on"
TARGET_RATIO = 0.25

# Copies of the demo's offerings (same programmes, hubs, dates and windows, another cohort
# name) until there are at least {count}: the catalogue then pages through national numbers.
ADD_OFFERINGS = """
from cpdnet.programmes.models import Offering
existing = list(Offering.objects.order_by("id"))
skip = {{"id", "created_at", "updated_at", "cohort_name"}}
names = [f.attname for f in Offering._meta.concrete_fields if f.name not in skip]
extra = []
while len(existing) + len(extra) < {count}:
    n = len(extra)
    source = existing[n % len(existing)]
    extra.append(Offering(cohort_name=f"Bench cohort {{n // len(existing) + 1}}",
                          **{{name: getattr(source, name) for name in names}}))
Offering.objects.bulk_create(extra, batch_size=500)
print(len(extra), Offering.objects.count())
"""

# In-process: the catalogue's queries for each path, with every offering and then with 20
# (the others deleted inside a transaction that is rolled back). Also how many rows each page
# found, so that a page that found nothing (and so skipped its page query) is seen.
COUNT_QUERIES = """
import json
from django.conf import settings
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext, setup_test_environment
from django.utils import timezone
from cpdnet.applications.models import Application
from cpdnet.programmes.models import Offering

setup_test_environment()  # so that responses carry their template context
settings.CATALOGUE_CACHE_SECONDS = 0  # count the queries of rendering, not of the page cache
paths = {paths!r}
client = Client()

def measure():
    figures = {{}}
    for path in paths:
        client.get(path)  # warm-up: per-process caches (hub directory, templates)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        figures[path] = [len(queries), response.context["page"].paginator.count]
    return figures

everything = Offering.objects.count(), measure()
with transaction.atomic():
    # Open maths offerings first, so that both pages list offerings with 20 rows too.
    now = timezone.now()
    open_maths = Offering.objects.filter(
        programme__network__subject="maths",
        applications_open_at__lte=now,
        applications_close_at__gt=now,
    )
    keep = list(open_maths.order_by("id").values_list("id", flat=True)[:20])
    others = Offering.objects.exclude(id__in=keep).values_list("id", flat=True)
    keep += list(others[: 20 - len(keep)])
    Application.objects.exclude(offering_id__in=keep).delete()
    Offering.objects.exclude(id__in=keep).delete()
    few = Offering.objects.count(), measure()
    transaction.set_rollback(True)
print(json.dumps({{"few": few, "many": everything}}))
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_load_arguments(parser, rounds_help="A B C rounds (default 2)")
    parser.add_argument("--offerings", type=int, default=2000, help="at least this many")
    parser.add_argument(
        "--queries-only", action="store_true", help="count queries; start no server"
    )
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)
    use_wrk = uses_wrk(args)

    var_dir = make_var_dir("cpdnet-bench-catalogue-")
    (var_dir / "static").mkdir()
    env = bench_env(var_dir, CPDNET_ALLOWED_HOSTS=f"{HOST},testserver")
    server = None
    targets = {"catalogue": CATALOGUE_PATH, "filtered": FILTERED_PATH, "constant": CONSTANT_PATH}
    phases: dict[str, list[dict]] = {name: [] for name in targets}
    print(f"database: {database_label(var_dir)}")
    print(f"data dir: {var_dir}")
    try:
        fresh_database()
        started = time.perf_counter()
        migrate(env)
        print(f"migrate: {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        run_cpdnet(["collectstatic", "--noinput"], env)  # HTML pages need the static manifest
        print(f"collectstatic: {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        summary = run_cpdnet(["load-demo"], env)
        print(f"load-demo: {time.perf_counter() - started:.1f} s")
        for line in summary.splitlines():
            if line.startswith("Loaded"):
                print(f"  {line}")
        output = run_cpdnet(
            ["shell", "-v", "0", "-c", ADD_OFFERINGS.format(count=args.offerings)], env
        )
        added, total = output.split()[-2:]
        print(f"offerings: {total} ({added} copies added to the demo's)")

        output = run_cpdnet(
            ["shell", "-v", "0", "-c", COUNT_QUERIES.format(paths=[CATALOGUE_PATH, FILTERED_PATH])],
            env,
        )
        counted = json.loads(output.strip().splitlines()[-1])
        (few, few_queries), (many, many_queries) = counted["few"], counted["many"]
        constant_queries = True
        for path in (CATALOGUE_PATH, FILTERED_PATH):
            (few_count, few_found), (many_count, many_found) = few_queries[path], many_queries[path]
            same = few_count == many_count
            constant_queries &= same
            print(
                f"SQL queries for GET {path}: {few_count} with {few} offerings "
                f"({few_found} found), {many_count} with {many} ({many_found} found): "
                f"{'constant' if same else 'GROWS'}"
            )
        if args.queries_only:
            return 0 if constant_queries else 1

        port = free_port()
        server_env = dict(env)
        if server_env["DJANGO_SETTINGS_MODULE"] == "cpdnet.settings":
            server_env["DJANGO_SETTINGS_MODULE"] = "bench.bench_settings"
        log_path = var_dir / "gunicorn.log"
        server = start_gunicorn(server_env, port, args.workers, log_path)
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
        with tempfile.TemporaryDirectory() as work_dir:
            for round_number in range(1, args.rounds + 1):
                for name, path in targets.items():
                    options = {
                        "concurrency": args.concurrency,
                        "warmup": args.warmup,
                        "duration": args.duration,
                    }
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
        remove_var_dir(var_dir, args.keep)

    rps = {name: statistics.mean(f["rps"] for f in runs) for name, runs in phases.items()}
    errors = sum(f["errors"] for runs in phases.values() for f in runs)
    requests = sum(f["requests"] for runs in phases.values() for f in runs)
    print()
    for name, path in targets.items():
        print(f"GET {path:42s} {rps[name]:8.1f} rps (mean of {args.rounds})")
    print(f"errors: {errors} of {requests} requests (non-200 or failed)")
    passed = constant_queries and errors == 0
    for name in ("catalogue", "filtered"):
        ratio = rps[name] / rps["constant"] if rps["constant"] else 0.0
        met = ratio >= TARGET_RATIO
        passed &= met
        print(
            f"ratio {name}/constant: {ratio:.2f} (target >= {TARGET_RATIO}): "
            f"{'PASS' if met else 'FAIL'}"
        )
    verdict = "PASS" if constant_queries else "FAIL"
    print(f"query count constant from {few} to {many} offerings: {verdict}")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
