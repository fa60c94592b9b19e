"""PD leadership capacity per hub and phase, against a hand count."""

import datetime

from django.utils import timezone

from cpdnet.accreditation.capacity import (
    capacity_for_hubs,
    leadership_capacity,
    national_leadership_capacity,
)
from cpdnet.hubs import directory
from cpdnet.hubs.directory import get_hub_directory
from cpdnet.hubs.models import HubSchoolOverride
from tests.factories import (
    HubAreaFactory,
    HubFactory,
    OfferingFactory,
    ProgrammeFactory,
    SchoolFactory,
    UserFactory,
)

from .applying_world import accredit


def _by_phase(rows):
    return {row.phase: (row.accredited_leads, row.schools, row.offerings) for row in rows}


def _hand_counted_world(world):
    """Hub A (Leeds) and hub B (Lancashire), with schools, leads and offerings counted below."""
    # Leeds already has one secondary school (the world's); add primaries and an all-through.
    for _ in range(3):
        SchoolFactory(phase="Primary")
    SchoolFactory(phase="All-through")
    SchoolFactory(phase="Primary", status="closed")  # closed: not counted
    SchoolFactory(phase="Primary", is_state_funded=False)  # independent: not counted
    # Lancashire already has one secondary (the world's); add one primary.
    SchoolFactory(phase="Primary", la_code="888", district_code="E07000123")
    for _ in range(2):
        accredit(UserFactory(), phase="secondary", hub=world.hub_a)
    accredit(UserFactory(), phase="primary", hub=world.hub_a)
    accredit(UserFactory(), phase="primary", hub=world.hub_a, lapsed_at=timezone.now())
    accredit(UserFactory(), phase="primary", hub=world.hub_a, withdrawn_at=timezone.now())
    accredit(
        UserFactory(),
        phase="primary",
        hub=world.hub_a,
        accredited_on=datetime.date(2018, 1, 1),
        valid_until=datetime.date(2021, 1, 1),
    )
    accredit(UserFactory(), phase="primary", hub=world.hub_b)
    primary = ProgrammeFactory(network=world.network, phase="primary")
    OfferingFactory(programme=primary, hub=world.hub_a, academic_year=world.year)
    OfferingFactory(programme=primary, hub=world.hub_a, academic_year=world.year - 1)
    OfferingFactory(programme=primary, hub=world.hub_b, academic_year=world.year)


def test_a_hubs_capacity_matches_a_hand_count(world):
    _hand_counted_world(world)

    rows = leadership_capacity(world.hub_a, year=world.year)

    # Leeds: 3 primaries + 1 all-through + 1 secondary counted; the world's PD Lead cohort is
    # a secondary offering; one primary Work Group this year.
    assert _by_phase(rows) == {
        "early_years": (0, 4, 0),
        "primary": (1, 4, 1),
        "secondary": (2, 2, 1),
        "post_16": (0, 2, 0),
    }
    secondary = next(row for row in rows if row.phase == "secondary")
    assert str(secondary.schools_per_lead) == "1.0"
    assert next(row for row in rows if row.phase == "post_16").schools_per_lead is None


def test_the_national_table_counts_every_hub(world):
    _hand_counted_world(world)
    HubFactory(network=world.network, slug="hub-c", name="Cam Maths Hub")  # serves no area

    table = {
        row.hub.slug: _by_phase(row.phases)
        for row in national_leadership_capacity(world.network, year=world.year)
    }

    assert table["hub-b"] == {
        "early_years": (0, 1, 0),
        "primary": (1, 1, 1),
        "secondary": (0, 1, 0),
        "post_16": (0, 1, 0),
    }
    assert table["hub-a"]["secondary"] == (2, 2, 1)
    assert set(table["hub-c"].values()) == {(0, 0, 0)}


def test_capacity_takes_three_queries_however_many_hubs_and_leads(
    world, django_assert_num_queries, monkeypatch
):
    _hand_counted_world(world)
    for number in range(5):
        hub = HubFactory(network=world.network, slug=f"more-{number}")
        accredit(UserFactory(), phase="secondary", hub=hub)
    # The hubs were added in the test's transaction: treat them as committed, and load the
    # hub directory once, as a running process has.
    monkeypatch.setattr(directory, "_uncommitted_change", False)
    get_hub_directory()

    with django_assert_num_queries(3):  # schools, leads and offerings
        rows = national_leadership_capacity(world.network, year=world.year)
    assert len(rows) == 7
    with django_assert_num_queries(3):
        capacity_for_hubs([world.hub_a, world.hub_b], year=world.year)


def test_a_district_split_and_a_school_override_move_schools_between_hubs(world):
    _hand_counted_world(world)
    # Hub C takes Preston out of hub B's Lancashire, and one Leeds primary is given to hub B.
    hub_c = HubFactory(network=world.network, slug="hub-c", name="Cam Maths Hub")
    HubAreaFactory(hub=hub_c, local_authority_id="888", district_id="E07000123")
    moved = SchoolFactory(phase="Primary")
    HubSchoolOverride.objects.create(school=moved, hub=world.hub_b)

    one_hub = {"a": leadership_capacity(world.hub_a, year=world.year)}
    several = capacity_for_hubs([world.hub_a, world.hub_b, hub_c], year=world.year)
    national = national_leadership_capacity(world.network, year=world.year)

    schools = {row.hub.slug: _by_phase(row.phases)["primary"][1] for row in several}
    assert schools == {"hub-a": 4, "hub-b": 1, "hub-c": 1}
    assert {row.hub.slug: _by_phase(row.phases)["primary"][1] for row in national} == schools
    assert _by_phase(one_hub["a"])["primary"][1] == 4
