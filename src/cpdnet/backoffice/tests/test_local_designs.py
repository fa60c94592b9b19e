"""Local design pages: hubs see only their own designs; only national staff decide."""

import pytest

from cpdnet.programmes.models import DesignState, LocalDesign
from cpdnet.programmes.services import create_local_design, submit_local_design
from tests.factories import (
    ApplicationFactory,
    HubFactory,
    OfferingFactory,
    ProgrammeFactory,
    RoleAssignmentFactory,
)

pytestmark = pytest.mark.django_db

FORM = {
    "kind": "network_meeting",
    "title": "Coastal maths leads network",
    "aims": "Subject leads share what works.",
    "audience": ["subject_lead"],
    "phase": "secondary",
    "key_stages": "KS3,KS4",
    "planned_sessions": "3",
    "sessions_outline": "Termly, 2 hours each",
    "lead_name": "Pat Lead",
    "local_need": "Isolated schools with one maths specialist.",
}


@pytest.fixture
def hub():
    return HubFactory()


@pytest.fixture
def staff(hub):
    return RoleAssignmentFactory(role="hub_staff", hub=hub).user


@pytest.fixture
def national():
    return RoleAssignmentFactory(role="national_staff", hub=None).user


def _design(hub, staff, submitted=False):
    fields = {**FORM, "audience": "subject_lead", "planned_sessions": 3}
    design = create_local_design(hub=hub, by=staff, **fields)
    if submitted:
        submit_local_design(design=design, by=staff)
    return design


def test_hub_staff_propose_a_design_and_send_it(client, hub, staff):
    client.force_login(staff)

    empty = client.post("/backoffice/hub/designs/new/", {})
    assert empty.status_code == 400
    assert "Enter a title" in empty.content.decode()
    response = client.post("/backoffice/hub/designs/new/", {**FORM, "hub": hub.slug})

    design = LocalDesign.objects.get()
    assert response.status_code == 302
    assert (design.hub, design.kind, design.audience) == (hub, "network_meeting", "subject_lead")
    client.post(f"/backoffice/hub/designs/{design.pk}/submit/")
    design.refresh_from_db()
    assert design.state == DesignState.SUBMITTED
    # A submitted design can no longer be changed
    assert client.get(f"/backoffice/hub/designs/{design.pk}/edit/").status_code == 404


def test_another_hub_cannot_see_or_change_a_design(client, hub, staff):
    design = _design(hub, staff)
    other = RoleAssignmentFactory(role="hub_staff", hub=HubFactory()).user
    client.force_login(other)

    assert client.get(f"/backoffice/hub/designs/{design.pk}/").status_code == 404
    assert client.get(f"/backoffice/hub/designs/{design.pk}/edit/").status_code == 404
    assert client.post(f"/backoffice/hub/designs/{design.pk}/submit/").status_code == 404
    assert design.title not in client.get("/backoffice/hub/designs/").content.decode()


def test_hub_staff_cannot_open_the_queue_or_decide(client, hub, staff):
    design = _design(hub, staff, submitted=True)
    client.force_login(staff)

    assert client.get("/backoffice/national/designs/").status_code == 403
    response = client.post(
        f"/backoffice/national/designs/{design.pk}/decide/", {"decision": "approve"}
    )
    assert response.status_code == 403
    design.refresh_from_db()
    assert design.state == DesignState.SUBMITTED


def test_national_staff_return_a_design_with_comments(client, hub, staff, national):
    design = _design(hub, staff, submitted=True)
    client.force_login(national)
    queue = client.get("/backoffice/national/designs/").content.decode()
    assert design.title in queue

    missing = client.post(
        f"/backoffice/national/designs/{design.pk}/decide/", {"decision": "return"}
    )
    assert missing.status_code == 400
    assert "Say what the hub should change" in missing.content.decode()
    client.post(
        f"/backoffice/national/designs/{design.pk}/decide/",
        {"decision": "return", "comments": "Name the schools."},
    )

    design.refresh_from_db()
    assert (design.state, design.decision_comments) == (DesignState.RETURNED, "Name the schools.")


def test_the_lists_ask_few_queries(client, hub, staff, national, django_assert_max_num_queries):
    for _ in range(8):
        _design(hub, staff, submitted=True)
    client.force_login(staff)
    with django_assert_max_num_queries(8):
        assert client.get("/backoffice/hub/designs/").status_code == 200
    client.force_login(national)
    with django_assert_max_num_queries(8):
        assert client.get("/backoffice/national/designs/").status_code == 200


def test_participation_counts_local_designs_apart(client, hub, national):
    local = OfferingFactory(
        hub=hub,
        academic_year=2026,
        programme=ProgrammeFactory(network=hub.network, designed_by_hub=hub),
    )
    national_offering = OfferingFactory(hub=hub, programme__network=hub.network, academic_year=2026)
    ApplicationFactory(offering=local, state="accepted")
    ApplicationFactory(offering=national_offering, state="accepted")
    ApplicationFactory(offering=national_offering, state="completed")
    client.force_login(national)

    response = client.get("/backoffice/hub/providers/?year=2026")

    by_design = {origin.is_local: origin for origin in response.context["by_design"]}
    assert (by_design[True].offerings, by_design[True].participants) == (1, 1)
    assert (by_design[False].offerings, by_design[False].participants) == (1, 2)


def test_only_the_designing_hub_is_offered_its_local_programme(client, hub, staff):
    ProgrammeFactory(network=hub.network, title="Our local design", designed_by_hub=hub)
    other_hub = HubFactory(network=hub.network)
    ProgrammeFactory(network=hub.network, title="Their local design", designed_by_hub=other_hub)
    client.force_login(staff)

    page = client.get("/backoffice/hub/offerings/new/").content.decode()

    assert "Our local design" in page
    assert "Their local design" not in page
