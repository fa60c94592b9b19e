"""A hub designs locally, in a real browser with axe on every page: hub staff propose a local
Work Group, national staff return it with comments, the hub changes and resends it, national
staff approve it, and the hub schedules it as an offering."""

import re

import pytest
from playwright.sync_api import expect

from cpdnet.hubs.services import ensure_networks
from cpdnet.programmes.models import DesignState, LocalDesign, Offering
from cpdnet.schools.services import load_local_authorities
from tests.factories import HubFactory, RoleAssignmentFactory, UserFactory

from .conftest import assert_accessible_as_shown, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def people(transactional_db):
    load_local_authorities()  # transactional tests empty the tables the migration filled
    maths = ensure_networks()["maths"]
    hub = HubFactory(
        network=maths, name="Coast and Vale Maths Hub", email="hello@coast.example.org"
    )
    staff = UserFactory(email="hana@coast.example.org", full_name="Hana Hub")
    RoleAssignmentFactory(user=staff, role="hub_staff", hub=hub)
    national = UserFactory(email="nia@national.example.org", full_name="Nia National")
    RoleAssignmentFactory(user=national, role="national_staff", hub=None)
    return {"hub": hub, "staff": staff, "national": national}


def test_a_hub_proposes_national_returns_hub_resends_national_approves_hub_schedules(
    page, live_server, people, mailoutbox
):
    hub, staff, national = people["hub"], people["staff"], people["national"]

    # Hub staff propose a local Work Group
    sign_in(page, live_server, staff)
    page.goto(f"{live_server.url}/backoffice/")
    page.get_by_role("link", name="Local designs", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Local designs")
    assert_accessible_as_shown(page, javascript=True)
    page.get_by_role("button", name="Propose a local design").click()
    page.get_by_role("button", name="Save the design").click()
    expect(page).to_have_title(re.compile("^Error: "))
    expect(page.get_by_role("link", name="Enter a title")).to_be_visible()
    assert_accessible_as_shown(page, javascript=True)
    page.get_by_label("Hub", exact=True).select_option(label=f"{hub.name} ({hub.network.name})")
    page.get_by_label("Local Work Group").check()
    page.get_by_label("Title").fill("Reasoning on the coast")
    page.get_by_label("Aims").fill("Develop pupils' reasoning in Years 5 and 6.")
    page.get_by_label("Class or subject teacher").check()
    page.get_by_label("Phase").select_option(label="Primary")
    page.get_by_label("Number of sessions").fill("4")
    page.get_by_label("Planned sessions").fill("Four twilight sessions, half-termly.")
    page.get_by_label("Who will lead it").fill("Sam Facilitator")
    page.get_by_label("Why is it needed locally?").fill("Reasoning lags in coastal schools.")
    page.get_by_role("button", name="Save the design").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reasoning on the coast")
    assert_accessible_as_shown(page, javascript=True)
    page.get_by_role("button", name="Send to national staff").click()
    expect(page.get_by_text("Sent to national staff")).to_be_visible()
    design = LocalDesign.objects.get()

    # National staff return it with comments
    sign_in(page, live_server, national)
    page.goto(f"{live_server.url}/backoffice/national/designs/")
    assert_accessible_as_shown(page, javascript=True)
    page.get_by_role("link", name="Reasoning on the coast").click()
    page.get_by_label("Return to the hub with comments").check()
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_role("link", name="Say what the hub should change")).to_be_visible()
    assert_accessible_as_shown(page, javascript=True)
    page.get_by_label("Return to the hub with comments").check()
    page.get_by_label("Comments for the hub").fill("Add how gap tasks will work.")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_text("returned with comments")).to_be_visible()
    design.refresh_from_db()
    assert design.state == DesignState.RETURNED
    assert any("Add how gap tasks will work." in email.body for email in mailoutbox)

    # The hub changes the design and sends it again
    sign_in(page, live_server, staff)
    page.goto(f"{live_server.url}/backoffice/hub/designs/{design.pk}/")
    expect(page.get_by_text("Add how gap tasks will work.").first).to_be_visible()
    page.get_by_role("button", name="Change the design").click()
    assert_accessible_as_shown(page, javascript=True)
    page.get_by_label("Planned sessions").fill("Four twilight sessions, each with a gap task.")
    page.get_by_role("button", name="Save the design").click()
    page.get_by_role("button", name="Send it again").click()
    expect(page.get_by_text("Sent to national staff")).to_be_visible()

    # National staff approve it
    sign_in(page, live_server, national)
    page.goto(f"{live_server.url}/backoffice/hub/designs/{design.pk}/")
    page.get_by_label("Approve: the hub can schedule it").check()
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_text("Reasoning on the coast: approved")).to_be_visible()
    design.refresh_from_db()
    assert design.programme.designed_by_hub == hub

    # The hub schedules it as an offering
    sign_in(page, live_server, staff)
    page.goto(f"{live_server.url}/backoffice/hub/designs/{design.pk}/")
    page.get_by_role("link", name="Schedule it as an offering").click()
    page.get_by_label("Programme").select_option(label="Reasoning on the coast")
    page.get_by_label("Places").fill("20")
    page.get_by_label("Online", exact=True).check()
    page.get_by_label("Number of sessions").fill("4")
    page.get_by_label("Start date").fill("2027-01-15")
    page.get_by_label("End date").fill("2027-06-30")
    page.get_by_label("Applications open").fill("2026-11-01T09:00")
    page.get_by_label("Applications close").fill("2026-12-15T17:00")
    page.get_by_role("button", name="Add offering").click()
    expect(page.get_by_text("Offering added")).to_be_visible()
    offering = Offering.objects.get(programme=design.programme)

    # The public page says the hub designed it
    page.goto(f"{live_server.url}/programmes/offerings/{offering.pk}/")
    expect(page.get_by_text(f"Designed by {hub.name}")).to_be_visible()
    assert_accessible_as_shown(page, javascript=True)
