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

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import (  # noqa: E402
    count_page_queries,
    load_pages_and_constant,
    migrate_fresh_database,
    page_bench_env,
    page_bench_parser,
    remove_var_dir,
    report_against_constant,
    run_cpdnet,
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
    parser = page_bench_parser(
        __doc__.split("\n\n")[0], rows="offerings", default=2000, rows_help="at least this many"
    )
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)

    var_dir, env = page_bench_env("cpdnet-bench-catalogue-")
    (var_dir / "static").mkdir()
    try:
        migrate_fresh_database(env)
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

        paths = [CATALOGUE_PATH, FILTERED_PATH]
        few, many, constant_queries = count_page_queries(
            env, COUNT_QUERIES.format(paths=paths), paths, rows="offerings", found="found"
        )
        if args.queries_only:
            return 0 if constant_queries else 1

        targets, phases = load_pages_and_constant(
            args, env, var_dir, {"catalogue": CATALOGUE_PATH, "filtered": FILTERED_PATH}
        )
    finally:
        remove_var_dir(var_dir, args.keep)

    passed = report_against_constant(
        targets, phases, rounds=args.rounds, path_width=42, target_ratio=TARGET_RATIO
    )
    verdict = "PASS" if constant_queries else "FAIL"
    print(f"query count constant from {few} to {many} offerings: {verdict}")
    return 0 if passed and constant_queries else 1


if __name__ == "__main__":
    sys.exit(main())
