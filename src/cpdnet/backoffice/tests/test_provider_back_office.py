"""A national provider's staff use the hub back office, scoped to their provider's offerings."""

import pytest

from cpdnet.applications.models import State
from cpdnet.audit.models import AuditEntry
from cpdnet.programmes.models import Offering, Provider, ProviderKind
from tests.factories import (
    ApplicationFactory,
    OfferingFactory,
    RoleAssignmentFactory,
    TeacherFactory,
    UserFactory,
)

from .helpers import applicant, count_queries
from .test_hub_offerings import offering_data

URL = "/backoffice/hub/"


@pytest.fixture
def centre_world(hub_world):
    """The national centre with an offering this year, its staff, and a partner's staff."""
    centre = Provider.objects.create(
        kind=ProviderKind.NATIONAL_CENTRE,
        name="National STEM Learning Centre",
        slug="national-centre",
        email="residentials@centre.example.org",
    )
    partner = Provider.objects.create(
        kind=ProviderKind.PARTNER, name="Institute of Physics", slug="iop"
    )
    offering = OfferingFactory(
        programme=hub_world.programme,
        hub=None,
        provider=centre,
        academic_year=hub_world.year,
        local_only=False,
    )
    staff = UserFactory(email="staff@centre.example.org")
    RoleAssignmentFactory(user=staff, role="provider_staff", hub=None, provider=centre)
    partner_staff = UserFactory(email="staff@iop.example.org")
    RoleAssignmentFactory(user=partner_staff, role="provider_staff", hub=None, provider=partner)
    return centre, partner, offering, staff, partner_staff


def test_provider_staff_see_their_providers_offerings_and_no_hubs(
    hub_world, centre_world, signed_in
):
    centre, _partner, offering, staff, _other = centre_world

    response = signed_in(staff).get(URL)

    assert response.status_code == 200
    assert response.context["by_hub"] == []
    assert [(p, [o.pk for o in offerings]) for p, offerings in response.context["by_provider"]] == [
        (centre, [offering.pk])
    ]


def test_provider_staff_decide_their_offerings_applications(hub_world, centre_world, signed_in):
    _centre, _partner, offering, staff, _other = centre_world
    application = applicant("ada@school.example.org", offering=offering)

    response = signed_in(staff).post(
        f"/backoffice/hub/applications/{application.pk}/decide/", {"decision": "accept"}
    )

    assert response.status_code == 302
    application.refresh_from_db()
    assert application.state == State.ACCEPTED
    assert AuditEntry.objects.filter(action="applications.application.accepted").count() == 1


@pytest.mark.parametrize(
    "url",
    [
        lambda offering, hub_offering: f"/backoffice/hub/offerings/{hub_offering.pk}/applications/",
        lambda offering, hub_offering: f"/backoffice/hub/offerings/{hub_offering.pk}/edit/",
        lambda offering, hub_offering: "/backoffice/hub/?hub=hub-a",
        lambda offering, hub_offering: "/backoffice/hub/applications.csv?hub=hub-a",
    ],
)
def test_provider_staff_get_404_for_a_hubs_offerings(hub_world, centre_world, signed_in, url):
    _centre, _partner, offering, staff, _other = centre_world

    response = signed_in(staff).get(url(offering, hub_world.offering_a))

    assert response.status_code == 404


@pytest.mark.parametrize("who", ["hub staff", "another provider's staff"])
def test_others_get_404_for_a_providers_offering(hub_world, centre_world, signed_in, who):
    _centre, _partner, offering, _staff, partner_staff = centre_world
    person = hub_world.staff_a if who == "hub staff" else partner_staff

    applications = signed_in(person).get(f"/backoffice/hub/offerings/{offering.pk}/applications/")
    dashboard = signed_in(person).get(URL + "?provider=national-centre")

    assert (applications.status_code, dashboard.status_code) == (404, 404)


def test_a_teacher_is_refused_the_provider_pages(hub_world, centre_world, signed_in):
    response = signed_in(hub_world.teacher).get(URL)

    assert response.status_code == 403


def test_provider_staff_add_a_national_offering_open_everywhere(hub_world, centre_world, signed_in):
    centre, _partner, _offering, staff, _other = centre_world
    data = offering_data(hub_world, hub=None, local_only=None, cohort_name="York residential")

    response = signed_in(staff).post(
        "/backoffice/hub/offerings/new/?provider=national-centre", data
    )

    assert response.status_code == 302
    created = Offering.objects.get(cohort_name="York residential")
    assert (created.provider, created.hub, created.local_only) == (centre, None, False)
    assert response["Location"] == f"{URL}?provider=national-centre&year={hub_world.year}"


def test_national_staff_choose_a_provider(hub_world, centre_world, signed_in):
    centre, _partner, offering, _staff, _other = centre_world

    response = signed_in(hub_world.national).get(URL + "?provider=national-centre")

    assert [p for p, _ in response.context["by_provider"]] == [centre]
    assert b"National STEM Learning Centre" in response.content


def test_the_provider_dashboard_queries_stay_flat(hub_world, centre_world, signed_in):
    centre, _partner, _offering, staff, _other = centre_world
    client = signed_in(staff)
    one = count_queries(client, URL)
    for _ in range(3):
        OfferingFactory(
            programme=hub_world.programme, hub=None, provider=centre, academic_year=hub_world.year
        )

    assert count_queries(client, URL) == one


def test_national_staff_see_participation_by_provider(hub_world, centre_world, signed_in):
    # Given a participant on the centre's offering, and two from one school at hub A
    centre, _partner, offering, _staff, _other = centre_world
    applicant("ada@one.example.org", offering=offering, state=State.ACCEPTED)
    first = applicant("bo@two.example.org", offering=hub_world.offering_a, state=State.ACCEPTED)
    ApplicationFactory(
        offering=hub_world.offering_a,
        applicant=TeacherFactory(email="cy@two.example.org", school=first.school),
        state=State.COMPLETED,
    )

    # When national staff open the page
    response = signed_in(hub_world.national).get(
        f"/backoffice/hub/providers/?year={hub_world.year}"
    )

    # Then each provider's offerings, participants and schools are counted apart
    rows = {
        provider.slug: (provider.offering_count, provider.participant_count, provider.school_count)
        for provider in response.context["providers"]
    }
    assert rows["national-centre"] == (1, 1, 1)
    assert rows["hub-a"] == (1, 2, 1)
    assert rows["hub-b"] == (1, 0, 0)


def test_provider_staff_cannot_see_participation_by_provider(hub_world, centre_world, signed_in):
    _centre, _partner, _offering, staff, _other = centre_world

    assert signed_in(staff).get("/backoffice/hub/providers/").status_code == 403


def test_an_events_chair_and_speakers_show_on_its_page(hub_world, centre_world, signed_in, client):
    # Given the centre's staff set a chair and two speakers on their offering
    _centre, _partner, offering, staff, _other = centre_world
    data = offering_data(
        hub_world,
        hub=None,
        local_only=None,
        cohort_name=offering.cohort_name,
        chair="Prof Ada Shah, University of York",
        speakers="Dr Ben Ode, Institute of Physics\n\nCara Teacher, Leeds Academy\n",
    )
    response = signed_in(staff).post(f"/backoffice/hub/offerings/{offering.pk}/edit/", data)
    assert response.status_code == 302

    # When anyone opens the offering's public page
    client.logout()
    page = client.get(f"/programmes/offerings/{offering.pk}/").content.decode()

    # Then the chair and each speaker are listed
    assert "Prof Ada Shah, University of York" in page
    assert "<li>Dr Ben Ode, Institute of Physics</li>" in page
    assert "<li>Cara Teacher, Leeds Academy</li>" in page
