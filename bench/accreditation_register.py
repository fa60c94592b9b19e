"""Benchmark: the public register of accredited PD Leads at national size against a bare view.

Sets up a fresh database in a throwaway data dir (migrate), adds 5,000 accredited PD Leads
across the maths hubs and phases (two in three listed publicly), serves it with gunicorn
(2 sync workers, bench.bench_settings, CPDNET_DEBUG=0) on a free port of 127.0.0.1, then loads
it for a fixed time with a bounded load generator, alternating the register's first page (A),
a filtered later page (B) and /bench/constant/ (C) as A B C A B C, and prints the mean rps of
each and the ratios A/C and B/C against the target >= 0.25. Before the load it counts the SQL
queries of both register pages in-process with 200 leads and with all of them: the count must
not grow with the rows.

    .venv/bin/python bench/accreditation_register.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cpdnet_bench \
        .venv/bin/python bench/accreditation_register.py

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

REGISTER_PATH = "/api/v1/accreditation/register"
FILTERED_PATH = "/api/v1/accreditation/register?phase=primary&network=maths&page=10"
TARGET_RATIO = 0.25
FEW_LEADS = 200

# The shipped maths hubs, then {count} accredited leads spread over them and the four phases.
ADD_LEADS = """
import datetime, random
from pathlib import Path
from django.utils import timezone
from cpdnet.accounts.models import User
from cpdnet.accreditation.models import Accreditation
from cpdnet.accreditation.services import new_accreditation_code
from cpdnet.hubs.models import Hub
from cpdnet.hubs.services import load_hubs
import cpdnet.hubs
demo = Path(cpdnet.hubs.__file__).parent / "demo_data"
load_hubs(hubs_csv=demo / "hubs.csv", areas_csv=demo / "hub_areas.csv")
hubs = list(Hub.objects.filter(network__slug="maths").order_by("pk"))
rng = random.Random(2026)
users = User.objects.bulk_create(
    [User(email=f"lead{{n}}@bench.example.org", full_name=f"Lead {{n:05d}}", password="!")
     for n in range({count})], batch_size=1000)
today = timezone.localdate()
phases = ["early_years", "primary", "secondary", "post_16"]
rows = []
for n, user in enumerate(users):
    accredited_on = today - datetime.timedelta(days=rng.randint(0, 1000))
    rows.append(Accreditation(
        holder=user, phase=phases[n % 4], hub=hubs[n % len(hubs)], code=new_accreditation_code(),
        accredited_on=accredited_on, valid_until=accredited_on + datetime.timedelta(days=1095),
        on_public_register=n % 3 != 0))
Accreditation.objects.bulk_create(rows, batch_size=1000)
print(Accreditation.objects.count(), Accreditation.objects.filter(on_public_register=True).count())
"""

COUNT_QUERIES = """
import json
from django.db import connection, transaction
from django.test import Client
from django.conf import settings
from django.test.utils import CaptureQueriesContext
from cpdnet.accreditation.models import Accreditation

paths = {paths!r}
client = Client()
# Count what building a page costs, not a cached copy of it.
settings.ACCREDITATION_REGISTER_CACHE_SECONDS = 0

def measure():
    figures = {{}}
    for path in paths:
        client.get(path)  # warm-up
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        figures[path] = [len(queries), response.json()["count"]]
    return figures

everything = Accreditation.objects.count(), measure()
with transaction.atomic():
    # Enough listed primary leads that page 10 of the filtered path still has rows.
    keep = list(Accreditation.objects.filter(phase="primary", on_public_register=True)
                .order_by("pk").values_list("pk", flat=True)[:{few}])
    Accreditation.objects.exclude(pk__in=keep).delete()
    few = Accreditation.objects.count(), measure()
    transaction.set_rollback(True)
print(json.dumps({{"few": few, "many": everything}}))
"""


def main() -> int:
    parser = page_bench_parser(
        __doc__.split("\n\n")[0],
        rows="leads",
        default=5000,
        rows_help="accredited PD Leads to add",
    )
    parser.add_argument(
        "--no-cache",
        action="store_true",
        help="serve without the register's page cache (every request builds its page)",
    )
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)

    var_dir, env = page_bench_env("cpdnet-bench-register-")
    try:
        migrate_fresh_database(env)
        started = time.perf_counter()
        output = run_cpdnet(["shell", "-v", "0", "-c", ADD_LEADS.format(count=args.leads)], env)
        total, listed = output.split()[-2:]
        print(
            f"accredited leads: {total} ({listed} listed) in {time.perf_counter() - started:.1f} s"
        )

        paths = [REGISTER_PATH, FILTERED_PATH]
        few, many, constant_queries = count_page_queries(
            env,
            COUNT_QUERIES.format(paths=paths, few=FEW_LEADS),
            paths,
            rows="leads",
            found="listed found",
        )
        if args.queries_only:
            return 0 if constant_queries else 1

        targets, phases = load_pages_and_constant(
            args,
            env,
            var_dir,
            {"register": REGISTER_PATH, "filtered": FILTERED_PATH},
            server_env={"CPDNET_ACCREDITATION_REGISTER_CACHE_SECONDS": "0"}
            if args.no_cache
            else None,
        )
    finally:
        remove_var_dir(var_dir, args.keep)

    passed = report_against_constant(
        targets, phases, rounds=args.rounds, path_width=66, target_ratio=TARGET_RATIO
    )
    verdict = "PASS" if constant_queries else "FAIL"
    print(f"query count constant from {few} to {many} leads: {verdict}")
    return 0 if passed and constant_queries else 1


if __name__ == "__main__":
    sys.exit(main())
