"""The hub dashboard: each person sees the offerings of the hubs they staff, with counts."""

import datetime

import pytest

from cpdnet.hubs import directory
from cpdnet.programmes.academic_years import current_academic_year
from tests.factories import (
    ApplicationFactory,
    HubAreaFactory,
    OfferingFactory,
    RoleAssignmentFactory,
)

from .helpers import count_queries

URL = "/backoffice/hub/"

# Every hub page, by a function of the world giving its address.
HUB_PAGES = {
    "dashboard": lambda w: URL,
    "new offering": lambda w: "/backoffice/hub/offerings/new/",
    "edit offering": lambda w: f"/backoffice/hub/offerings/{w.offering_a.pk}/edit/",
    "applications": lambda w: f"/backoffice/hub/offerings/{w.offering_a.pk}/applications/",
    "waiting list": lambda w: f"/backoffice/hub/offerings/{w.offering_a.pk}/waiting-list/",
    "offering CSV": lambda w: f"/backoffice/hub/offerings/{w.offering_a.pk}/applications.csv",
    "hub CSV": lambda w: "/backoffice/hub/applications.csv?hub=hub-a",
    "application": lambda w: (
        f"/backoffice/hub/applications/{ApplicationFactory(offering=w.offering_a).pk}/"
    ),
}


@pytest.mark.parametrize("page", HUB_PAGES)
def test_hub_staff_may_open_every_hub_page(hub_world, signed_in, page):
    response = signed_in(hub_world.staff_a).get(HUB_PAGES[page](hub_world))

    assert response.status_code == 200


@pytest.mark.parametrize("page", HUB_PAGES)
def test_a_teacher_is_refused_every_hub_page(hub_world, signed_in, page):
    # The denied twin of the test above: same pages, a signed-in teacher with no hub role
    response = signed_in(hub_world.teacher).get(HUB_PAGES[page](hub_world))

    assert response.status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in(hub_world, client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"] == "/sign-in/?next=/backoffice/hub/"


def test_hub_staff_see_their_hubs_offerings_with_counts_and_places_left(hub_world, signed_in):
    # Given offering A (2 places) with one accepted, one waiting for the hub, two declined
    for state in ["accepted", "submitted", "declined", "declined"]:
        ApplicationFactory(offering=hub_world.offering_a, state=state)
    ApplicationFactory(offering=hub_world.offering_b, state="accepted")

    response = signed_in(hub_world.staff_a).get(URL)

    text = response.content.decode()
    assert "Abacus Maths Hub" in text
    assert "Bede Maths Hub" not in text
    assert "1 of 2" in text  # places left
    assert "Accepted: 1" in text
    assert "Submitted: waiting for the hub: 1" in text
    assert "Declined: 2" in text
    assert "Open" in text
    assert [offering.pk for offering in response.context["by_hub"][0][1]] == [
        hub_world.offering_a.pk
    ]


def test_hub_staff_cannot_pick_another_hub(hub_world, signed_in):
    response = signed_in(hub_world.staff_a).get(URL + "?hub=hub-b")

    assert response.status_code == 404


def test_national_staff_may_pick_any_hub(hub_world, signed_in):
    response = signed_in(hub_world.national).get(URL + "?hub=hub-b")

    assert response.status_code == 200
    assert [hub.slug for hub, _ in response.context["by_hub"]] == ["hub-b"]


def test_national_staff_without_a_hub_are_asked_to_choose_one(hub_world, signed_in):
    response = signed_in(hub_world.national).get(URL)

    assert "Choose a hub to see its offerings." in response.content.decode()
    assert response.context["by_hub"] == []


def test_staff_of_two_hubs_see_both(hub_world, signed_in):
    RoleAssignmentFactory(user=hub_world.staff_a, role="hub_staff", hub=hub_world.hub_b)

    response = signed_in(hub_world.staff_a).get(URL)

    assert [hub.slug for hub, _ in response.context["by_hub"]] == ["hub-a", "hub-b"]


def test_the_year_defaults_to_the_current_one_and_can_be_changed(hub_world, signed_in):
    next_year = OfferingFactory(
        hub=hub_world.hub_a, programme=hub_world.programme, academic_year=hub_world.year + 1
    )
    client = signed_in(hub_world.staff_a)

    this_year = client.get(URL).context["by_hub"][0][1]
    later = client.get(f"{URL}?year={hub_world.year + 1}").context["by_hub"][0][1]

    assert [offering.pk for offering in this_year] == [hub_world.offering_a.pk]
    assert [offering.pk for offering in later] == [next_year.pk]


@pytest.mark.parametrize(
    ("today", "year"),
    [
        (datetime.date(2026, 8, 31), 2025),
        (datetime.date(2026, 9, 1), 2026),
        (datetime.date(2027, 1, 5), 2026),
    ],
)
def test_the_academic_year_starts_on_1_september(today, year):
    assert current_academic_year(today) == year


@pytest.mark.parametrize("offerings", [3, 30])
def test_the_dashboard_takes_the_same_queries_however_many_offerings(
    hub_world, signed_in, offerings, monkeypatch
):
    # The world is built inside the test's transaction: let the hub directory treat it as
    # committed, so that it is loaded once per process as in production.
    HubAreaFactory(hub=hub_world.hub_a)  # schools to count for the capacity figures
    monkeypatch.setattr(directory, "_uncommitted_change", False)
    for _ in range(offerings):
        offering = OfferingFactory(
            hub=hub_world.hub_a, programme=hub_world.programme, academic_year=hub_world.year
        )
        ApplicationFactory(offering=offering, state="submitted")

    queries = count_queries(signed_in(hub_world.staff_a), URL)

    # One of them lists the national providers the person may also choose; the role check
    # and the menu share one. PD leadership capacity takes three (schools, leads, offerings)
    # and the endorsements waiting one.
    assert queries == 7 + 3 + 1
