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
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_load_arguments(parser, rounds_help="A B C rounds (default 2)")
    parser.add_argument("--leads", type=int, default=5000, help="accredited PD Leads to add")
    parser.add_argument(
        "--queries-only", action="store_true", help="count queries; start no server"
    )
    parser.add_argument(
        "--no-cache",
        action="store_true",
        help="serve without the register's page cache (every request builds its page)",
    )
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)
    use_wrk = uses_wrk(args)

    var_dir = make_var_dir("cpdnet-bench-register-")
    env = bench_env(var_dir, CPDNET_ALLOWED_HOSTS=f"{HOST},testserver")
    server = None
    targets = {"register": REGISTER_PATH, "filtered": FILTERED_PATH, "constant": CONSTANT_PATH}
    phases: dict[str, list[dict]] = {name: [] for name in targets}
    print(f"database: {database_label(var_dir)}")
    print(f"data dir: {var_dir}")
    try:
        fresh_database()
        started = time.perf_counter()
        migrate(env)
        print(f"migrate: {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        output = run_cpdnet(["shell", "-v", "0", "-c", ADD_LEADS.format(count=args.leads)], env)
        total, listed = output.split()[-2:]
        print(
            f"accredited leads: {total} ({listed} listed) in {time.perf_counter() - started:.1f} s"
        )

        output = run_cpdnet(
            [
                "shell",
                "-v",
                "0",
                "-c",
                COUNT_QUERIES.format(paths=[REGISTER_PATH, FILTERED_PATH], few=FEW_LEADS),
            ],
            env,
        )
        counted = json.loads(output.strip().splitlines()[-1])
        (few, few_queries), (many, many_queries) = counted["few"], counted["many"]
        constant_queries = True
        for path in (REGISTER_PATH, FILTERED_PATH):
            (few_count, few_found), (many_count, many_found) = few_queries[path], many_queries[path]
            same = few_count == many_count
            constant_queries &= same
            print(
                f"SQL queries for GET {path}: {few_count} with {few} leads ({few_found} listed "
                f"found), {many_count} with {many} ({many_found} found): "
                f"{'constant' if same else 'GROWS'}"
            )
        if args.queries_only:
            return 0 if constant_queries else 1

        port = free_port()
        server_env = dict(env)
        if args.no_cache:
            server_env["CPDNET_ACCREDITATION_REGISTER_CACHE_SECONDS"] = "0"
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
        print(f"GET {path:66s} {rps[name]:8.1f} rps (mean of {args.rounds})")
    print(f"errors: {errors} of {requests} requests (non-200 or failed)")
    passed = constant_queries and errors == 0
    for name in ("register", "filtered"):
        ratio = rps[name] / rps["constant"] if rps["constant"] else 0.0
        met = ratio >= TARGET_RATIO
        passed &= met
        print(
            f"ratio {name}/constant: {ratio:.2f} (target >= {TARGET_RATIO}): "
            f"{'PASS' if met else 'FAIL'}"
        )
    verdict = "PASS" if constant_queries else "FAIL"
    print(f"query count constant from {few} to {many} leads: {verdict}")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
