"""A school's senior leader enrols the school in a Work Group at phone width, with and
without JavaScript, naming two lead participants; a lead completes their application; the
school replaces a lead who has not; hub staff withdraw a school; axe on every page."""

import re

import pytest
from playwright.sync_api import expect

from cpdnet.applications.models import EnrolmentState, SchoolEnrolment, State
from cpdnet.applications.services import enrol_school
from cpdnet.hubs.services import ensure_networks
from cpdnet.schools.services import load_local_authorities
from tests.factories import (
    HubAreaFactory,
    HubFactory,
    OfferingFactory,
    ProgrammeFactory,
    RoleAssignmentFactory,
    SchoolFactory,
    UserFactory,
)

from .conftest import assert_accessible_as_shown, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def offering(transactional_db):
    load_local_authorities()  # transactional tests empty the tables the migration filled
    maths = ensure_networks()["maths"]
    hub = HubFactory(network=maths, slug="west-yorkshire-maths-hub", name="West Yorkshire Hub")
    HubAreaFactory(hub=hub, local_authority_id="383")
    return OfferingFactory(
        hub=hub,
        capacity=12,
        school_capacity=6,
        programme=ProgrammeFactory(network=maths, title="Mastery Readiness Work Group"),
    )


@pytest.mark.parametrize("javascript", [True, False], ids=["with-javascript", "without"])
def test_a_senior_leader_enrols_the_school_and_a_lead_takes_the_place(
    request, live_server, offering, javascript, mailoutbox
):
    page = request.getfixturevalue("page" if javascript else "page_without_javascript")
    page.set_viewport_size({"width": 390, "height": 900})
    school = SchoolFactory(name="Hillside Primary")
    head = UserFactory(email="head@hillside.example.org", full_name="Helen Head")
    RoleAssignmentFactory(user=head, role="school_approver", school=school, hub=None)
    sign_in(page, live_server, head)

    # The head reads the offering and follows the link to enrol the school
    page.goto(f"{live_server.url}/programmes/offerings/{offering.pk}/")
    page.get_by_role("link", name="enrol your school").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Enrol your school")
    assert_accessible_as_shown(page, javascript=javascript)

    # Sending nothing lists what is missing, linked to each field
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_title(re.compile("^Error: "))
    expect(page.get_by_role("link", name="Enter the senior leader's full name")).to_be_visible()
    expect(
        page.get_by_role("link", name="Confirm the school will release its leads")
    ).to_be_visible()
    assert_accessible_as_shown(page, javascript=javascript)

    # They give the commitment and name two lead participants
    page.get_by_label("Hillside Primary").check()
    page.get_by_label("Senior leader's full name").fill("Helen Head")
    page.get_by_label("Senior leader's role").fill("Headteacher")
    page.get_by_label("We will release our lead participants for every session").check()
    page.get_by_label("We will give them time for the work between sessions").check()
    firsts = page.get_by_role("group", name="First lead participant")
    firsts.get_by_label("Full name").fill("Ada Lead")
    firsts.get_by_label("Email address").fill("ada@hillside.example.org")
    seconds = page.get_by_role("group", name="Second lead participant (optional)")
    seconds.get_by_label("Full name").fill("Bea Lead")
    seconds.get_by_label("Email address").fill("bea@hillside.example.org")
    page.get_by_role("button", name="Continue").click()

    # They check their answers, and enrol
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers before enrolling")
    expect(page.get_by_text("bea@hillside.example.org")).to_be_visible()
    assert_accessible_as_shown(page, javascript=javascript)
    page.get_by_role("button", name="Enrol the school").click()

    # Then the school's page shows the enrolment, its commitment and both leads
    expect(page.get_by_text("Hillside Primary is enrolled")).to_be_visible()
    expect(page.get_by_role("heading", name="Schools you have enrolled")).to_be_visible()
    expect(page.get_by_text("Ada Lead: place held")).to_be_visible()
    assert_accessible_as_shown(page, javascript=javascript)
    enrolment = SchoolEnrolment.objects.get()
    assert enrolment.state == EnrolmentState.ENROLLED
    assert sorted(email.to[0] for email in mailoutbox) == [
        "ada@hillside.example.org",
        "bea@hillside.example.org",
    ]

    # A lead follows the link in their email and takes the place
    lead = enrolment.leads.get(email="ada@hillside.example.org")
    sign_in(page, live_server, UserFactory(email="ada@hillside.example.org", school=None))
    page.goto(f"{live_server.url}/account/school-places/{lead.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Complete your application")
    assert_accessible_as_shown(page, javascript=javascript)
    page.get_by_label("Class or subject teacher").check()
    page.get_by_role("button", name="Take the place").click()
    expect(page.get_by_text("You have a place on Mastery Readiness Work Group")).to_be_visible()
    lead.refresh_from_db()
    assert lead.application.state == State.ACCEPTED

    # The hub sees the school enrolled, with the commitment
    staff = RoleAssignmentFactory(role="hub_staff", hub=offering.hub).user
    sign_in(page, live_server, staff)
    page.goto(f"{live_server.url}/backoffice/hub/offerings/{offering.pk}/schools/")
    expect(page.get_by_role("rowheader", name=re.compile("Hillside Primary"))).to_be_visible()
    expect(page.get_by_text("Helen Head, Headteacher")).to_be_visible()
    assert_accessible_as_shown(page, javascript=javascript)


def _hillside_enrolled(offering, *, leads):
    """Hillside Primary, enrolled by its head, with these (name, email) leads."""
    school = SchoolFactory(name="Hillside Primary")
    head = UserFactory(email="head@hillside.example.org", full_name="Helen Head")
    RoleAssignmentFactory(user=head, role="school_approver", school=school, hub=None)
    enrolment = enrol_school(
        offering=offering,
        school=school,
        by=head,
        senior_leader_name="Helen Head",
        senior_leader_role="Headteacher",
        releases_for_sessions=True,
        gives_gap_task_time=True,
        leads=leads,
    )
    return head, enrolment


@pytest.mark.parametrize("javascript", [True, False], ids=["with-javascript", "without"])
def test_a_senior_leader_replaces_a_lead_who_has_not_completed(
    request, live_server, offering, javascript, mailoutbox
):
    page = request.getfixturevalue("page" if javascript else "page_without_javascript")
    page.set_viewport_size({"width": 390, "height": 900})
    head, enrolment = _hillside_enrolled(
        offering,
        leads=[("Ada Lead", "ada@hillside.example.org"), ("Bea Lead", "bea@hillside.example.org")],
    )
    mailoutbox.clear()
    sign_in(page, live_server, head)

    # The head follows the link by the lead who has not completed their application
    page.goto(f"{live_server.url}/my/school/participation/?year={offering.academic_year}")
    page.get_by_role("link", name="Replace Ada Lead with a colleague").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Replace Ada Lead")
    assert_accessible_as_shown(page, javascript=javascript)

    # Sending nothing lists what is missing, linked to each field
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_title(re.compile("^Error: "))
    expect(
        page.get_by_role("link", name="Enter the new lead participant's full name")
    ).to_be_visible()
    assert_accessible_as_shown(page, javascript=javascript)

    # Naming the other lead is refused when confirming, in the error summary
    newcomer = page.get_by_role("group", name="New lead participant")
    newcomer.get_by_label("Full name").fill("Bea Lead")
    newcomer.get_by_label("Email address").fill("bea@hillside.example.org")
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Replace the lead participant").click()
    expect(page.get_by_role("alert")).to_contain_text("is already named as a lead participant")
    assert_accessible_as_shown(page, javascript=javascript)

    # They name a colleague, check the answers and confirm
    newcomer.get_by_label("Full name").fill("Cy Lead")
    newcomer.get_by_label("Email address").fill("cy@hillside.example.org")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Check your answers before replacing a lead participant"
    )
    assert_accessible_as_shown(page, javascript=javascript)
    page.get_by_role("button", name="Replace the lead participant").click()

    # Then the school's page shows Cy in Ada's place, and both are emailed
    expect(
        page.get_by_text("Cy Lead is now a lead participant in place of Ada Lead")
    ).to_be_visible()
    expect(page.get_by_text("Cy Lead: place held")).to_be_visible()
    assert_accessible_as_shown(page, javascript=javascript)
    assert sorted(email.to[0] for email in mailoutbox) == [
        "ada@hillside.example.org",
        "cy@hillside.example.org",
    ]
    assert enrolment.leads.get(email="ada@hillside.example.org").replaced_by.full_name == "Cy Lead"


@pytest.mark.parametrize("javascript", [True, False], ids=["with-javascript", "without"])
def test_hub_staff_withdraw_a_school_that_stopped_taking_part(
    request, live_server, offering, javascript, mailoutbox
):
    page = request.getfixturevalue("page" if javascript else "page_without_javascript")
    page.set_viewport_size({"width": 390, "height": 900})
    _, enrolment = _hillside_enrolled(offering, leads=[("Ada Lead", "ada@hillside.example.org")])
    mailoutbox.clear()
    sign_in(page, live_server, RoleAssignmentFactory(role="hub_staff", hub=offering.hub).user)

    # Staff follow the link by the school on the offering's schools page
    page.goto(f"{live_server.url}/backoffice/hub/offerings/{offering.pk}/schools/")
    page.get_by_role("link", name="Withdraw Hillside Primary").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Withdraw Hillside Primary")
    assert_accessible_as_shown(page, javascript=javascript)

    # A reason is required
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_title(re.compile("^Error: "))
    expect(page.get_by_role("link", name="Say why the school is withdrawn")).to_be_visible()
    assert_accessible_as_shown(page, javascript=javascript)

    # They give it, check what happens, and confirm
    page.get_by_label("Why is the school withdrawn?").fill("The school stopped taking part")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Check before you withdraw Hillside Primary"
    )
    expect(page.get_by_text("Ada Lead (ada@hillside.example.org)")).to_be_visible()
    assert_accessible_as_shown(page, javascript=javascript)
    page.get_by_role("button", name="Withdraw the school").click()

    # Then the schools page says so, and the school and its lead are emailed
    expect(page.get_by_text("Hillside Primary has been withdrawn")).to_be_visible()
    assert_accessible_as_shown(page, javascript=javascript)
    enrolment.refresh_from_db()
    assert enrolment.state == EnrolmentState.WITHDRAWN
    assert sorted(email.to[0] for email in mailoutbox) == [
        "ada@hillside.example.org",
        "head@hillside.example.org",
    ]
