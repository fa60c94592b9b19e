"""The retention schedule at scale: a first run over years of generated activity, then the
daily run with nothing left to do, and the insights figures before and after.

    .venv/bin/python bench/retention.py                    # --scale small: a few minutes
    .venv/bin/python bench/retention.py --scale national   # tens of minutes to generate
    DATABASE_URL=postgres://.../cpdnet_bench .venv/bin/python bench/retention.py

Makes a throwaway data dir (and with DATABASE_URL a fresh PostgreSQL database whose name
contains "bench"), migrates, loads the demo data and generates activity in this process, then
writes a statement, a reason and a cascade note on every generated application (the generator
leaves them blank) so that every past place has words to anonymise. It times a dry run, the
first real run (with the longest single batch: each batch is its own transaction, so this is
the longest any row stays locked) and a second run, and checks that reach and impact for
every past year are identical before and after. Exits 1 when a figure changed, the longest
batch exceeds --max-batch-seconds, or the second run changes anything. See bench/README.md.
"""

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (  # noqa: E402 - the path above makes bench/ importable when run as a script
    REPO,
    bench_env,
    database_label,
    fresh_database,
    make_var_dir,
    remove_var_dir,
)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", default="small", help="generate-activity --scale")
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--max-batch-seconds", type=float, default=2.0)
    parser.add_argument("--keep", action="store_true", help="keep the throwaway data dir")
    return parser.parse_args()


def setup_django(var_dir: Path) -> None:
    os.environ.update(bench_env(var_dir))
    os.environ["DJANGO_SETTINGS_MODULE"] = "cpdnet.settings"
    sys.path.insert(0, str(REPO / "src"))
    import django

    django.setup()


def figures(years: list[int]) -> list:
    from cpdnet.hubs.models import Network
    from cpdnet.insights.selectors import impact, reach_by_hub

    return [
        (reach_by_hub(network, year), impact(year=year))
        for network in Network.objects.order_by("slug")
        for year in years
    ]


def main() -> int:
    args = parse_args()
    var_dir = make_var_dir("cpdnet-bench-retention-")
    try:
        fresh_database()
        setup_django(var_dir)
        return measure(args)
    finally:
        remove_var_dir(var_dir, args.keep)


def measure(args: argparse.Namespace) -> int:
    from django.core.management import call_command
    from django.utils import timezone

    from cpdnet.applications.models import Application, Transition
    from cpdnet.delivery.models import Cascade
    from cpdnet.privacy.services import apply_retention

    print(f"database: {database_label(Path(os.environ['CPDNET_VAR_DIR']))}")
    call_command("migrate", verbosity=0)
    call_command("load_demo", verbosity=0)
    started = time.monotonic()
    call_command("generate_activity", scale=args.scale, years=args.years, verbosity=0)
    print(f"generate-activity --scale {args.scale}: {time.monotonic() - started:.0f} s wall")
    Application.objects.update(statement="Why I applied", state_reason="A reason")
    Transition.objects.update(reason="A reason")
    Cascade.objects.update(notes="What happened")
    print(
        f"applications: {Application.objects.count():,}, history rows: "
        f"{Transition.objects.count():,}, cascade records: {Cascade.objects.count():,}"
    )
    this_year = timezone.localdate().year
    past_years = list(range(this_year - args.years, this_year))
    before = figures(past_years)

    started = time.perf_counter()
    dry = apply_retention(dry_run=True, batch_size=args.batch_size)
    print(f"dry run: {sum(dry.values()):,} rows in {time.perf_counter() - started:.1f} s")

    longest, last = 0.0, time.perf_counter()

    def progress(message: str) -> None:
        nonlocal longest, last
        now = time.perf_counter()
        if message.strip().replace(",", "").isdigit():  # a batch was committed
            longest = max(longest, now - last)
        last = now

    started = time.perf_counter()
    done = apply_retention(batch_size=args.batch_size, progress=progress)
    seconds = time.perf_counter() - started
    rows = sum(done.values())
    print(
        f"first run: {rows:,} rows in {seconds:.1f} s ({rows / max(seconds, 1e-9):,.0f} rows/s); "
        f"longest batch of {args.batch_size:,}: {longest:.2f} s"
    )
    for key, count in done.items():
        print(f"  {key}: {count:,}")

    started = time.perf_counter()
    again = sum(apply_retention(batch_size=args.batch_size).values())
    print(f"second run: {again:,} rows in {time.perf_counter() - started:.1f} s")

    same = figures(past_years) == before
    print(f"reach and impact for {past_years[0]}-{past_years[-1]} identical after: {same}")
    passed = same and again == 0 and longest <= args.max_batch_seconds and rows == sum(dry.values())
    print("PASS" if passed else "FAIL")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
