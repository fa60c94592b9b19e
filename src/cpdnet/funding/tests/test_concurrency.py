"""The last of a fund under load: commitments at the same moment never take it below zero.

Committing is the only step that takes money from a fund (claims and payments only move or
give back what was committed), so it is the one raced here. PostgreSQL serialises with a row
lock on the fund (SELECT ... FOR UPDATE), SQLite with BEGIN IMMEDIATE (settings). Each thread
has its own connection, so the test needs real transactions.
"""

import datetime
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.db import connection, connections
from django.utils import timezone

from cpdnet.funding import services
from cpdnet.funding.models import Bursary, BursaryScheme, EntryKind, Fund, LedgerEntry
from cpdnet.funding.services import FundingError
from cpdnet.hubs.services import ensure_networks
from cpdnet.schools.services import load_local_authorities
from tests.factories import HubFactory, OfferingFactory, SessionFactory

from .conftest import released_place

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


def _race(places) -> list[tuple]:
    barrier = threading.Barrier(len(places))

    def apply(place) -> tuple:
        try:
            barrier.wait(timeout=30)
            services.apply_for_bursary(application=place, by=place.applicant)
            return (place.pk, "committed", "")
        except FundingError as error:
            return (place.pk, "refused", error.code)
        except Exception as error:  # reported by the test (e.g. "database is locked")
            return (place.pk, "error", f"{type(error).__name__}: {error}")
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=len(places)) as pool:
        return list(pool.map(apply, places))


@pytest.fixture
def last_500():
    """A fund with £500 left, and a £500 bursary two released teachers may apply for."""
    load_local_authorities()  # transactional tests empty the tables the migration filled
    network = ensure_networks()["maths"]
    offering = OfferingFactory(hub=HubFactory(network=network), programme__network=network)
    start = timezone.now() + datetime.timedelta(days=10)
    SessionFactory(offering=offering, starts_at=start, ends_at=start + datetime.timedelta(hours=6))
    fund = Fund.objects.create(
        name="Bursaries", funder="DfE", academic_year=2026, budget=Decimal("10500.00")
    )
    LedgerEntry.objects.create(
        kind=EntryKind.COMMITMENT,
        amount=Decimal("10000.00"),
        academic_year=2026,
        description="Committed earlier",
        fund=fund,
    )
    BursaryScheme.objects.create(
        offering=offering, fund=fund, supply_days=Decimal("1"), daily_rate=Decimal("500.00")
    )
    return fund, offering


@pytest.mark.parametrize("round_number", range(3))
def test_two_commitments_racing_for_the_last_500_pounds_give_one_and_refuse_one(
    last_500, round_number
):
    fund, offering = last_500
    places = [released_place(offering), released_place(offering)]

    results = _race(places)

    assert [r for r in results if r[1] == "error"] == [], f"{connection.vendor}: {results}"
    assert Counter((outcome, code) for _, outcome, code in results) == {
        ("committed", ""): 1,
        ("refused", "fund_spent"): 1,
    }
    assert services.fund_left(fund) == Decimal("0.00")
    assert Bursary.objects.count() == 1
