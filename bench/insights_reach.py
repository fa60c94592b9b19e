"""Insights at national scale: pages and CSV export against hand-written SQL, export memory.

    .venv/bin/python bench/insights_reach.py               # fresh data: tens of minutes
    .venv/bin/python bench/insights_reach.py --reuse DIR   # SQLite data made before in DIR
    DATABASE_URL=postgres://.../NAME .venv/bin/python bench/insights_reach.py --reuse DIR

Without --reuse it makes a throwaway data dir (and with DATABASE_URL a fresh PostgreSQL
database whose name contains "bench"), runs `cpdnet migrate`, `cpdnet load-demo` and
`cpdnet generate-activity --scale SCALE`, and prints how long the generation took. Then, in this
process with Django's test Client, it times (a) the national reach page, (b) a hub's equity
page and (c) the reach CSV of the API, each against hand-written SQL computing the same
numbers on the same connection, alternating the two, and prints the medians, their ratio and
PASS/FAIL: each page at most --target-ms (100 ms) and --target (0.1) times its SQL, since the
pages read the engagement rollup where the SQL reads the raw rows. It then times a full
rebuild of the rollup and `check-rollups`' comparison (which must find no difference). It
checks that the hand-written SQL and the selectors agree,
and measures the peak Python memory (tracemalloc) while consuming the reach CSV and the schools
CSV, to compare between data sizes. See bench/README.md.
"""

# The hand-written SQL is built from constants and integers of this script, never from input.
# ruff: noqa: S608

import argparse
import os
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (  # noqa: E402 - the path above makes bench/ importable when run as a script
    REPO,
    bench_env,
    database_label,
    fresh_database,
    make_var_dir,
    migrate,
    remove_var_dir,
    run_cpdnet,
)

PARTICIPATING = ("accepted", "completed", "not_completed")
OPEN = ("open", "open_proposed_to_close")

# The schools counted (open, state-funded) with their hub in network %s: a per-school override,
# else the hub of their district, else the hub of their whole authority.
COUNTED = """
counted AS (
    SELECT s.urn, s.name, s.la_code, s.la_name, s.district_code, s.phase, s.percentage_fsm,
           COALESCE(ov.hub_id, dist.hub_id, whole.hub_id) AS hub_id
    FROM schools_school s
    LEFT JOIN hubs_hubschooloverride ov ON ov.school_id = s.urn AND ov.network_id = %s
    LEFT JOIN hubs_hubarea dist ON dist.network_id = %s AND dist.local_authority_id = s.la_code
         AND dist.district_id = s.district_code
    LEFT JOIN hubs_hubarea whole ON whole.network_id = %s AND whole.local_authority_id = s.la_code
         AND whole.district_id IS NULL
    WHERE s.status IN ('open', 'open_proposed_to_close') AND s.is_state_funded
)"""
# Per school and year: took part (any participating place of a teacher the school confirmed)
# and completed, in network %s (insights.engagement.counted_applications).
TOOK_PART = """
took_part AS (
    SELECT a.school_id, o.academic_year AS year,
           MAX(CASE WHEN a.state = 'completed' THEN 1 ELSE 0 END) AS completed
    FROM applications_application a
    JOIN programmes_offering o ON o.id = a.offering_id
    JOIN hubs_hub h ON h.id = o.hub_id
    WHERE a.state IN ('accepted', 'completed', 'not_completed') AND a.school_confirmed
      AND h.network_id = %s
      AND o.academic_year BETWEEN %s AND %s
    GROUP BY a.school_id, o.academic_year
)"""


def grouped_sql(key: str, where: str = "") -> str:
    return f"""
WITH {COUNTED}, {TOOK_PART}
SELECT {key} AS key, COUNT(*), COUNT(p.school_id), COALESCE(SUM(p.completed), 0)
FROM counted c LEFT JOIN took_part p ON p.school_id = c.urn
WHERE 1 = 1 {where}
GROUP BY {key}
ORDER BY 1"""


TREND_SQL = f"""
WITH {COUNTED}, {TOOK_PART}
SELECT p.year, COUNT(*), COALESCE(SUM(p.completed), 0)
FROM counted c JOIN took_part p ON p.school_id = c.urn
WHERE 1 = 1 {{where}}
GROUP BY p.year ORDER BY p.year"""
COUNTED_TOTAL_SQL = f"WITH {COUNTED} SELECT COUNT(*) FROM counted c WHERE 1 = 1 {{where}}"
FSM_COUNT_SQL = f"WITH {COUNTED} SELECT COUNT(*) FROM counted WHERE percentage_fsm IS NOT NULL"
FSM_RANKS_SQL = f"""
WITH {COUNTED}
SELECT percentage_fsm FROM (
    SELECT percentage_fsm, ROW_NUMBER() OVER (ORDER BY percentage_fsm) AS position
    FROM counted WHERE percentage_fsm IS NOT NULL
) ranked WHERE position IN (%s, %s, %s, %s) ORDER BY position"""
NEVER_SQL = f"""
WITH {COUNTED}, {TOOK_PART}
SELECT c.urn, c.name, c.percentage_fsm FROM counted c
WHERE c.hub_id = %s AND NOT EXISTS (SELECT 1 FROM took_part p WHERE p.school_id = c.urn)
ORDER BY c.percentage_fsm IS NULL, c.percentage_fsm DESC, c.name, c.urn"""


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reuse", type=Path, help="use this data dir (and DATABASE_URL) as is")
    parser.add_argument("--scale", default="national", help="generate-activity --scale")
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--network", default="maths")
    parser.add_argument("--hub", default="west-yorkshire-maths-hub", help="hub of the equity page")
    parser.add_argument("--repeat", type=int, default=5, help="timed rounds of each (median)")
    parser.add_argument(
        "--target", type=float, default=0.1, help="largest ratio page / SQL that passes"
    )
    parser.add_argument(
        "--target-ms", type=float, default=100.0, help="slowest page (median) that passes"
    )
    parser.add_argument("--keep", action="store_true", help="keep the throwaway data dir")
    return parser.parse_args()


def prepare(args: argparse.Namespace) -> Path:
    """Return the data dir, having made the data unless --reuse names one."""
    if args.reuse:
        return args.reuse
    var_dir = make_var_dir("cpdnet-bench-insights-")
    fresh_database()
    env = bench_env(var_dir)
    migrate(env)
    # The demo's own generated activity would stand in the way of the national scale's.
    run_cpdnet(["load-demo", "--without-activity"], env)
    started = time.monotonic()
    output = run_cpdnet(
        [
            "generate-activity",
            f"--scale={args.scale}",
            f"--years={args.years}",
            f"--seed={args.seed}",
        ],
        env,
    )
    print(f"generate-activity --scale {args.scale}: {time.monotonic() - started:.0f} s wall")
    print(output.strip())
    return var_dir


def setup_django(var_dir: Path) -> None:
    os.environ.update(bench_env(var_dir))
    os.environ["DJANGO_SETTINGS_MODULE"] = "cpdnet.settings"
    sys.path.insert(0, str(REPO / "src"))
    import django
    from django.conf import settings

    django.setup()
    # Pages are rendered without collectstatic, as in the tests.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def run_sql(statements: list[tuple[str, list]]) -> list[list[tuple]]:
    from django.db import connection

    results = []
    with connection.cursor() as cursor:
        for sql, params in statements:
            cursor.execute(sql, params)
            results.append(cursor.fetchall())
    return results


def base_params(network_id: int, first: int, last: int) -> list:
    return [network_id] * 3 + [network_id, first, last]


def national_sql(network_id: int, year: int, years: int):
    """Every number of the national page: per hub, per phase, per authority, and the trend."""
    this_year = base_params(network_id, year, year)
    trend = base_params(network_id, year - years + 1, year)
    return [
        (grouped_sql("c.hub_id"), this_year),
        (grouped_sql("c.phase"), this_year),
        (grouped_sql("c.la_code"), this_year),
        (TREND_SQL.format(where=""), trend),
        (COUNTED_TOTAL_SQL.format(where=""), [network_id] * 3),
    ]


def fsm_cuts_sql(network_id: int) -> list:
    import math

    ((count,),) = run_sql([(FSM_COUNT_SQL, [network_id] * 3)])[0]
    ranks = [max(math.ceil(count * share / 5), 1) for share in range(1, 5)]
    return [row[0] for row in run_sql([(FSM_RANKS_SQL, [network_id] * 3 + ranks)])[0]]


def equity_sql(network_id: int, hub_id: int, year: int, years: int, never: int = 3):
    """Every number of a hub's page: by authority, quintile, district, never engaged, trend."""
    cuts = fsm_cuts_sql(network_id)
    quintile = (
        "CASE WHEN c.percentage_fsm IS NULL THEN 'unknown' "
        + " ".join(
            f"WHEN c.percentage_fsm <= {cut} THEN '{index}'" for index, cut in enumerate(cuts, 1)
        )
        + " ELSE '5' END"
    )
    hub = f"AND c.hub_id = {int(hub_id)}"
    this_year = base_params(network_id, year, year)
    trend = base_params(network_id, year - years + 1, year)
    statements = [
        (grouped_sql("c.la_code", hub), this_year),
        (grouped_sql(quintile, hub), this_year),
        (grouped_sql("c.district_code", hub), this_year),
        (TREND_SQL.format(where=hub), trend),
        (COUNTED_TOTAL_SQL.format(where=hub), [network_id] * 3),
        (NEVER_SQL, base_params(network_id, year - never + 1, year) + [hub_id]),
    ]
    results = run_sql(statements)
    never_rows = results[-1]
    return results[:-1] + [[(len(never_rows),)], never_rows[:25]]


def timed(function) -> float:
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


def compare(name: str, page, sql, args, *, ratio_checked: bool = True) -> bool:
    """Time page and SQL alternately; print medians, the ratio and PASS/FAIL.

    Without `ratio_checked` only the time is a target and the ratio is shown for information
    (a section of a page against the SQL of its own numbers, not of the page's).
    """
    page()
    sql()  # warm both: first-use costs (templates, plans) are not what is measured
    pages, sqls = [], []
    for _ in range(args.repeat):
        pages.append(timed(page))
        sqls.append(timed(sql))
    page_ms, sql_ms = statistics.median(pages) * 1000, statistics.median(sqls) * 1000
    ratio = page_ms / sql_ms
    met = (ratio <= args.target or not ratio_checked) and page_ms <= args.target_ms
    target = f"<= {args.target:g}x and " if ratio_checked else ""
    print(
        f"{name:<34} page {page_ms:8.1f} ms   SQL {sql_ms:8.1f} ms   ratio {ratio:5.2f}   "
        f"{'PASS' if met else 'FAIL'} (target {target}<= {args.target_ms:g} ms)"
    )
    return met


def consume_peak(client, url: str, **headers) -> tuple[int, int, float]:
    """Stream a CSV response to the end; return (rows, bytes, peak MB allocated meanwhile)."""
    tracemalloc.start()
    response = client.get(url, **headers)
    assert response.status_code == 200, (url, response.status_code)
    size = rows = 0
    for chunk in response.streaming_content:
        size += len(chunk)
        rows += chunk.count(b"\n")
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return rows - 1, size, peak / 1e6


def main() -> int:
    args = parse_args()
    var_dir = prepare(args)
    try:
        setup_django(var_dir)
        return measure(args)
    finally:
        if not args.reuse:
            remove_var_dir(var_dir, args.keep)


def measure(args: argparse.Namespace) -> int:
    from django.db import connection
    from django.test import Client

    from cpdnet.accounts.models import User
    from cpdnet.accounts.services import create_api_token
    from cpdnet.applications.models import Application
    from cpdnet.hubs.models import Hub, Network
    from cpdnet.insights import selectors
    from cpdnet.programmes.academic_years import current_academic_year

    print(f"database: {database_label(Path(os.environ['CPDNET_VAR_DIR']))}")
    started = time.perf_counter()
    with connection.cursor() as cursor:
        # Planner statistics and (PostgreSQL) the visibility map, as a deployment's autovacuum
        # would give them: index-only scans need it, and this machine's cluster runs with
        # autovacuum off. SQLite: ANALYZE only.
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    print(f"VACUUM ANALYZE: {time.perf_counter() - started:.1f} s")
    year = current_academic_year()
    years = 5
    network = Network.objects.get(slug=args.network)
    hub = Hub.objects.get(slug=args.hub)
    applications = Application.objects.count()
    print(
        f"data: {User.objects.count():,} people, {applications:,} applications; "
        f"network {network.slug}, year {year}, hub {hub.slug}"
    )
    national = User.objects.get(email="national@example.org")
    client = Client()
    client.force_login(national)
    token = create_api_token(user=national)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    query = f"network={network.slug}&year={year}"

    # The hand-written SQL and the selectors must give the same numbers.
    hub_rows = {row.key: row for row in selectors.reach_by_hub(network, year).rows}
    slugs = dict(Hub.objects.values_list("pk", "slug"))
    by_sql = run_sql(national_sql(network.pk, year, years)[:1])[0]
    for hub_id, schools, engaged, completed in by_sql:
        row = hub_rows[slugs.get(hub_id, selectors.NO_HUB)]
        assert (row.schools, row.engaged, row.completed) == (schools, engaged, completed), (
            row,
            (schools, engaged, completed),
        )
    print(f"the hand-written SQL gives the selectors' numbers for all {len(by_sql)} hub rows")

    def get(url, **headers):
        def fetch():
            response = client.get(url, **headers)
            assert response.status_code == 200, (url, response.status_code)
            if response.streaming:
                b"".join(response.streaming_content)

        return fetch

    passed = [
        compare(
            "(a) national reach page",
            get(f"/backoffice/insights/?{query}"),
            lambda: run_sql(national_sql(network.pk, year, years)),
            args,
        ),
        # The national page's other sections (?show=): each against the SQL of its numbers.
        *(
            compare(
                f"(a) national page, {section}",
                get(f"/backoffice/insights/?{query}&show={section}"),
                lambda parts=parts: run_sql(
                    [national_sql(network.pk, year, years)[part] for part in parts]
                ),
                args,
                ratio_checked=False,
            )
            for section, parts in (
                ("hubs", (0, 4)),
                ("breakdown", (1,)),
                ("map", (2,)),
                ("trend", (3, 4)),
            )
        ),
        compare(
            f"(b) equity page of {hub.slug}"[:34],
            get(f"/backoffice/insights/hubs/{hub.slug}/?year={year}"),
            lambda: equity_sql(network.pk, hub.pk, year, years),
            args,
        ),
        compare(
            "(c) reach CSV (API)",
            get(f"/api/v1/insights/reach.csv?{query}", **auth),
            lambda: run_sql(national_sql(network.pk, year, years)[:1]),
            args,
        ),
    ]
    for label, url, headers in (
        ("reach CSV (API)", f"/api/v1/insights/reach.csv?{query}", auth),
        ("schools CSV (back office)", f"/backoffice/insights/schools.csv?{query}", {}),
    ):
        consume_peak(client, url, **headers)  # warm
        rows, size, peak = consume_peak(client, url, **headers)
        print(
            f"peak memory streaming the {label}: {peak:.2f} MB for {rows:,} rows "
            f"({size / 1e6:.2f} MB) with {applications:,} applications in the database"
        )
    passed.append(time_rollup())
    print("PASS" if all(passed) else "FAIL")
    return 0 if all(passed) else 1


def time_rollup() -> bool:
    """Time a full rebuild of the engagement rollup and the check against the raw rows."""
    from cpdnet.insights.engagement import compare_engagement, rebuild_engagement

    started = time.perf_counter()
    rows = rebuild_engagement()
    rebuilt = time.perf_counter() - started
    started = time.perf_counter()
    differences = sum(1 for _ in compare_engagement())
    checked = time.perf_counter() - started
    print(
        f"engagement rollup: rebuilt {rows:,} rows in {rebuilt:.1f} s; check-rollups compared "
        f"them with the applications in {checked:.1f} s: {differences} differences"
    )
    return differences == 0


if __name__ == "__main__":
    raise SystemExit(main())
