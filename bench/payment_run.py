"""A national payment run: 10,000 approved bursary claims drafted, approved and exported.

    .venv/bin/python bench/payment_run.py [--claims 10000] [--keep]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cpdnet_bench \
        .venv/bin/python bench/payment_run.py

Prints the time of drafting and of approving the run with the process's peak memory, and the
peak Python memory (tracemalloc) of the streamed payment file at half and all of the payments,
side by side: memory that does not grow with the run shows the export streams. Exits 1 if a
target is missed.
"""

import argparse
import datetime
import os
import resource
import sys
import time
import tracemalloc
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from bench._common import database_label, fresh_database, make_var_dir, remove_var_dir  # noqa: E402

TARGETS = {"draft_s": 30.0, "approve_s": 60.0, "export_growth": 1.5}


def _timed(step):
    """Run a step; its time, and the process's peak resident memory afterwards (MB)."""
    started = time.perf_counter()
    result = step()
    seconds = time.perf_counter() - started
    return result, seconds, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _python_peak(step) -> tuple[object, float]:
    """Run a step under tracemalloc (slow, so not timed); its peak Python allocation in MB."""
    tracemalloc.start()
    result = step()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return result, peak / 1_048_576


def _claims(count: int):
    """Approved claims (with their places, commitments and bank details) made in bulk."""
    from django.utils import timezone

    from cpdnet.accounts.models import Role, RoleAssignment, User
    from cpdnet.applications.models import Application, State
    from cpdnet.funding.models import (
        BankDetails,
        Bursary,
        BursaryScheme,
        BursaryState,
        EntryKind,
        Fund,
        LedgerEntry,
    )
    from cpdnet.hubs.models import Hub
    from cpdnet.hubs.services import ensure_networks
    from cpdnet.programmes.models import Offering, Programme
    from cpdnet.schools.models import School

    network = ensure_networks()["maths"]
    hub = Hub.objects.create(network=network, slug="bench-hub", name="Bench hub", region="London")
    programme = Programme.objects.create(
        network=network, slug="bench-residential", title="Residential", phase="secondary",
        kind="residential", audience="class_teacher", funding_model="funded_release",
        summary="Bench", description="Bench",
    )  # fmt: skip
    today = timezone.localdate()
    offering = Offering.objects.create(
        programme=programme, hub=hub, academic_year=2026, capacity=count, mode="face_to_face",
        starts_on=today, ends_on=today, planned_sessions=3,
        applications_open_at=timezone.now(), applications_close_at=timezone.now(),
    )  # fmt: skip
    fund = Fund.objects.create(
        name="Bench bursaries", funder="DfE", academic_year=2026, budget=Decimal("10000000.00")
    )
    scheme = BursaryScheme.objects.create(
        offering=offering, fund=fund, supply_days=3, daily_rate=Decimal("180.00")
    )
    schools = School.objects.bulk_create(
        [
            School(urn=800000 + n, name=f"Bench school {n}", search_text=f" bench school {n} ",
                   la_code="383", is_state_funded=True)
            for n in range(count // 5)
        ]
    )  # fmt: skip
    long_ago = timezone.now() - datetime.timedelta(days=30)
    BankDetails.objects.bulk_create(
        [
            BankDetails(school=school, account_name="SCHOOL", sort_code="309457",
                        account_number=f"{school.urn:08d}", created_at=long_ago)
            for school in schools
        ]
    )  # fmt: skip
    users = User.objects.bulk_create([User(email=f"bench{n}@example.org") for n in range(count)])
    places = Application.objects.bulk_create(
        [
            Application(offering=offering, applicant=user, school=schools[n % len(schools)],
                        job_role="class_teacher", approver_email="head@example.org",
                        state=State.COMPLETED)
            for n, user in enumerate(users)
        ]
    )  # fmt: skip
    bursaries = Bursary.objects.bulk_create(
        [
            Bursary(application=place, scheme=scheme, fund=fund, school_id=place.school_id,
                    state=BursaryState.APPROVED, committed=Decimal("540.00"),
                    amount=Decimal("540.00"), approved_at=long_ago)
            for place in places
        ]
    )  # fmt: skip
    LedgerEntry.objects.bulk_create(
        [
            LedgerEntry(kind=EntryKind.COMMITMENT, amount=Decimal("540.00"), academic_year=2026,
                        description="Bench", fund=fund, school_id=b.school_id, bursary=b)
            for b in bursaries
        ]
    )  # fmt: skip
    staff = [User.objects.create(email=f"finance{n}@example.org") for n in range(2)]
    for person in staff:
        RoleAssignment.objects.create(user=person, role=Role.FINANCE)
    return fund, staff


def _export_peak(run, limit: int) -> tuple[float, int]:
    from cpdnet.backoffice.csv_export import iter_csv
    from cpdnet.funding.documents import payment_file_rows

    def export():
        payments = (
            run.payments.filter(status="paid")
            .select_related("bank_details")
            .order_by("id")[:limit]
            .iterator(chunk_size=2000)
        )
        rows = payment_file_rows(payments, run_id=run.pk)
        return sum(len(line) for line in iter_csv(next(rows), rows))

    size, peak = _python_peak(export)
    return peak, size


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=10_000)
    parser.add_argument("--keep", action="store_true")
    arguments = parser.parse_args()
    var_dir = make_var_dir("cpdnet-bench-payment-run-")
    os.environ.update(CPDNET_VAR_DIR=str(var_dir), CPDNET_DEBUG="0")
    os.environ.setdefault("CPDNET_SECRET_KEY", "bench-" + "x" * 60)
    os.environ.setdefault("CPDNET_CACHE_URL", "database")
    os.environ["CPDNET_TASKS_BACKEND"] = "django_tasks.backends.dummy.DummyBackend"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cpdnet.settings")
    fresh_database()
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from cpdnet.funding import services
    from cpdnet.funding.models import LedgerEntry

    print(f"database: {database_label(var_dir)}")
    try:
        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        fund, (creator, approver) = _claims(arguments.claims)
        print(
            f"set-up: {arguments.claims:,} approved claims in {time.perf_counter() - started:.1f} s"
        )
        today = timezone.localdate()
        run, draft_s, draft_mb = _timed(
            lambda: services.create_payment_run(fund=fund, up_to=today, by=creator)
        )
        run, approve_s, approve_mb = _timed(
            lambda: services.approve_payment_run(run=run, by=approver)
        )
        entries = LedgerEntry.objects.filter(payment__run=run).count()
        small_mb, _ = _export_peak(run, arguments.claims // 2)
        large_mb, size = _export_peak(run, arguments.claims)
    finally:
        remove_var_dir(var_dir, arguments.keep)
    growth = large_mb / small_mb if small_mb else float("inf")
    checks = [
        ("draft the run", f"{draft_s:.2f} s, process peak {draft_mb:.0f} MB",
         draft_s < TARGETS["draft_s"]),
        ("approve and pay",
         f"{approve_s:.2f} s, process peak {approve_mb:.0f} MB, {entries:,} ledger entries",
         approve_s < TARGETS["approve_s"] and entries == 3 * arguments.claims),
        ("payment file", f"{size / 1_048_576:.2f} MB streamed; Python peak {small_mb:.2f} MB at "
         f"{arguments.claims // 2:,} rows, {large_mb:.2f} MB at {arguments.claims:,} "
         f"({growth:.2f}x)",
         growth < TARGETS["export_growth"]),
    ]  # fmt: skip
    for name, figure, passed in checks:
        print(f"{'PASS' if passed else 'FAIL'}  {name}: {figure}")
    return 0 if all(passed for *_, passed in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
