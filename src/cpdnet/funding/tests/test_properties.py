"""Properties that hold whatever finance staff and teachers do, in any order: a fund is never
overspent, and every balance is exactly the sum of its ledger entries."""

import contextlib
import datetime
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cpdnet.applications.models import State
from cpdnet.applications.services import ApplicationError, withdraw_application
from cpdnet.funding import selectors, services
from cpdnet.funding.models import BankDetails, BursaryScheme, BursaryState, EntryKind, LedgerEntry
from cpdnet.funding.services import FundingError
from cpdnet.schools.models import School
from tests.factories import OfferingFactory, SessionFactory

from .conftest import attend, released_place

pytestmark = pytest.mark.django_db

OPERATIONS = st.lists(
    st.tuples(
        st.sampled_from(["apply", "withdraw", "claim_and_approve", "reject", "pay", "return"]),
        st.integers(min_value=0, max_value=7),
    ),
    max_size=25,
)


@pytest.fixture
def places(fund):
    """Eight released places on four residentials with bursaries of different worth."""
    start = timezone.now() + datetime.timedelta(days=10)
    found = []
    for number, rate in enumerate(["95.50", "180.00", "210.25", "333.33"]):
        offering = OfferingFactory(programme__kind="residential")
        SessionFactory(
            offering=offering, starts_at=start, ends_at=start + datetime.timedelta(hours=6)
        )
        BursaryScheme.objects.create(
            offering=offering,
            fund=fund,
            supply_days=Decimal("1"),
            daily_rate=Decimal(rate),
            travel_cap=Decimal("25.00") * number,
        )
        found += [released_place(offering), released_place(offering)]
    return found


def _check_invariants(fund) -> None:
    entries = list(LedgerEntry.objects.filter(fund=fund))
    spent = sum(
        (e.amount for e in entries if e.kind in (EntryKind.COMMITMENT, EntryKind.FUND_PAYMENT)),
        start=Decimal("0"),
    )
    left = services.fund_left(fund)
    assert left == fund.budget - spent
    assert left >= 0
    figures = selectors.with_figures(type(fund).objects.filter(pk=fund.pk)).get()
    assert figures.budget == figures.committed + figures.paid + selectors.remaining(figures)
    for school_id in {e.school_id for e in LedgerEntry.objects.exclude(school=None)}:
        school = School.objects.get(pk=school_id)
        lines = list(selectors.list_statement_lines(school, 2026))
        assert selectors.statement_balance(school, 2026) == sum(
            (line.amount for line in lines), start=Decimal("0")
        )


def _apply(place, by):
    services.apply_for_bursary(application=place, by=by)


def _step(operation: str, place, staff, run_state: dict) -> None:
    bursary = getattr(place, "bursary_now", None)
    if operation == "apply":
        _apply(place, place.applicant)
    elif operation == "withdraw" and place.state == State.ACCEPTED:
        withdraw_application(application=place, by=place.applicant, reason="Changed plans")
    elif operation == "claim_and_approve" and bursary and bursary.state == BursaryState.COMMITTED:
        if not place.attendance.exists():
            attend(place, days=1)
        claimed = services.claim_bursary(
            bursary=bursary, travel_cost=Decimal("0"), has_receipt=False, by=place.applicant
        )
        services.approve_bursary(bursary=claimed, by=staff[0])
    elif operation == "reject" and bursary and bursary.state == BursaryState.CLAIMED:
        services.reject_bursary(bursary=bursary, reason="No evidence", by=staff[0])
    elif operation == "pay":
        run = services.create_payment_run(
            fund=bursary.fund if bursary else run_state["fund"],
            up_to=timezone.localdate(),
            by=staff[0],
        )
        run_state["last"] = services.approve_payment_run(run=run, by=staff[1])
    elif operation == "return" and run_state.get("last"):
        payment = run_state["last"].payments.filter(status="paid").first()
        if payment:
            services.record_returned_payment(payment=payment, reason="Returned", by=staff[0])


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(budget=st.decimals(min_value=0, max_value=2000, places=2), operations=OPERATIONS)
def test_no_sequence_of_operations_overspends_a_fund_or_unbalances_a_statement(
    budget, operations, fund, places, finance_staff, school_finance
):
    with transaction.atomic():
        fund.budget = budget
        fund.save()
        for place in places:
            services.save_bank_details(
                school=place.school, account_name="SCHOOL", sort_code="309457",
                account_number="00733445", by=school_finance,
            )  # fmt: skip
        BankDetails.objects.update(created_at=timezone.now() - datetime.timedelta(days=8))
        run_state = {"fund": fund}
        for operation, index in operations:
            place = type(places[index]).objects.get(pk=places[index].pk)
            place.bursary_now = getattr(place, "bursary", None) and place.bursary
            # A refusal is an allowed outcome; the invariants must hold either way.
            with contextlib.suppress(FundingError, ApplicationError):
                _step(operation, place, finance_staff, run_state)
            _check_invariants(fund)
        transaction.set_rollback(True)
