"""Journeys of applying for a place in a real browser: teacher, school approver, waiting list."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from cpdnet.applications import services
from cpdnet.applications.models import Affiliation, Application, State
from cpdnet.hubs.services import ensure_networks
from cpdnet.schools.services import load_local_authorities
from tests.factories import (
    HubAreaFactory,
    HubFactory,
    OfferingFactory,
    ProgrammeFactory,
    RoleAssignmentFactory,
    SchoolFactory,
    TeacherFactory,
    UserFactory,
)

from .conftest import assert_accessible, assert_accessible_as_shown, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

APPROVER = "head@stmarys.example.org"


@pytest.fixture
def world(transactional_db):
    """Leeds served by one maths hub, Lancashire by another, and an open offering in Leeds."""
    load_local_authorities()  # transactional tests empty the tables the migration filled
    networks = ensure_networks()
    leeds_hub = HubFactory(
        network=networks["maths"], slug="west-yorkshire-maths-hub", name="West Yorkshire Maths Hub"
    )
    lancs_hub = HubFactory(network=networks["maths"], slug="abacus", name="Abacus NW Maths Hub")
    HubAreaFactory(hub=leeds_hub, local_authority_id="383")
    HubAreaFactory(hub=lancs_hub, local_authority_id="888")
    leeds_school = SchoolFactory(urn=107999, name="St Mary's Catholic Primary School")
    lancs_school = SchoolFactory(
        urn=119000, name="Preston Primary", la_code="888", district_code="E07000123"
    )
    offering = OfferingFactory(
        hub=leeds_hub,
        programme=ProgrammeFactory(network=networks["maths"], title="Primary Mastery"),
    )
    head = UserFactory(email=APPROVER, full_name="Pat Head")
    RoleAssignmentFactory(user=head, role="school_approver", school=leeds_school)
    return {
        "offering": offering,
        "leeds_school": leeds_school,
        "lancs_school": lancs_school,
        "head": head,
    }


@pytest.mark.parametrize("width", [1280, 390], ids=["desktop", "phone"])
@pytest.mark.parametrize("javascript", [True, False], ids=["with-javascript", "without"])
def test_a_teacher_finds_an_offering_and_applies(request, live_server, world, javascript, width):
    page = request.getfixturevalue("page" if javascript else "page_without_javascript")
    page.set_viewport_size({"width": width, "height": 900})
    teacher = UserFactory(email="jo@stmarys.example.org", full_name="", school=None)
    sign_in(page, live_server, teacher)

    # The teacher looks for programmes near their school
    page.goto(f"{live_server.url}/programmes/?near=107999&open_only=on")
    expect(page.get_by_text("Showing offerings from the hub serving St Mary's")).to_be_visible()
    assert_accessible_as_shown(page, javascript=javascript)

    # reads about the offering, and applies
    page.get_by_role("link", name="Primary Mastery").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Primary Mastery")
    page.get_by_role("button", name="Apply for a place").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your details")
    assert_accessible_as_shown(page, javascript=javascript)

    # Missing answers are listed and linked to their fields
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_title(re.compile("^Error: "))
    expect(page.get_by_role("link", name="Enter your full name")).to_be_visible()
    assert_accessible_as_shown(page, javascript=javascript)

    # They give their name, find their school by name and choose their role
    page.get_by_label("Your full name").fill("Jo Teacher")
    school = page.get_by_label("Your school")
    school.fill("")
    if javascript:
        school.press_sequentially("st mary", delay=30)
        suggestion = page.get_by_role("option", name=re.compile("St Mary's Catholic Primary"))
        suggestion.click()
        # The suggestions close before the page is used again (a click during their
        # closing can land on a moved radio).
        expect(suggestion).to_be_hidden()
    else:
        school.fill("st mary")
    # Chosen from the keyboard: a mouse click can land while the suggestions' list is still
    # being removed and miss the radio (seen on a loaded machine).
    role = page.get_by_label("Subject lead or head of department")
    role.focus()
    page.keyboard.press("Space")
    expect(role).to_be_checked()
    page.get_by_label("Why do you want to take part? (optional)").fill("To lead maths.")
    page.get_by_role("button", name="Continue").click()

    # Then they choose who releases them: their own personal address is refused
    expect(page.get_by_role("heading", level=1)).to_have_text("Who will release you?")
    expect(page.get_by_label("Pat Head (h***@stmarys.example.org)")).to_be_visible()
    expect(page.get_by_text(APPROVER)).to_have_count(0)
    page.get_by_label("Someone else at the school").check()
    page.get_by_label("Their school email address").fill("jo.teacher@gmail.com")
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_title(re.compile("^Error: "))
    expect(
        page.get_by_role("link", name=re.compile("A personal email address cannot release you"))
    ).to_be_visible()
    assert_accessible_as_shown(page, javascript=javascript)
    page.get_by_label("Pat Head (h***@stmarys.example.org)").check()
    page.get_by_role("button", name="Continue").click()

    # They check their answers, change one, and send the application
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Check your answers before sending your application"
    )
    expect(page.get_by_text("St Mary's Catholic Primary School (URN 107999)")).to_be_visible()
    assert_accessible_as_shown(page, javascript=javascript)
    page.get_by_role("link", name="Change your job role").click()
    page.get_by_label("Class or subject teacher").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("Class or subject teacher")).to_be_visible()
    page.get_by_role("button", name="Send application").click()

    application = Application.objects.get(applicant=teacher)
    expect(page.get_by_role("heading", name="Application sent")).to_be_visible()
    expect(page.get_by_text(application.reference)).to_be_visible()
    expect(page.get_by_text("We have emailed Pat Head (h***@stmarys.example.org)")).to_be_visible()
    assert_accessible_as_shown(page, javascript=javascript)
    assert application.state == State.AWAITING_SCHOOL_APPROVAL
    assert (application.job_role, application.school_id) == ("class_teacher", 107999)
    teacher.refresh_from_db()
    assert (teacher.full_name, teacher.school_id) == ("Jo Teacher", 107999)

    # Their applications page shows it waiting for the school
    page.get_by_role("link", name="See your applications").click()
    expect(
        page.locator("strong", has_text=re.compile("^Waiting for the school to release$"))
    ).to_be_visible()
    assert_accessible_as_shown(page, javascript=javascript)


def test_a_teacher_at_a_school_in_another_hubs_area_is_told_why_not(page, live_server, world):
    teacher = TeacherFactory(school=world["lancs_school"])
    sign_in(page, live_server, teacher)

    page.goto(f"{live_server.url}/programmes/offerings/{world['offering'].pk}/")
    assert_accessible(page)
    page.get_by_role("button", name="Apply for a place").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "You cannot apply for Primary Mastery"
    )
    expect(page.get_by_text("your school is served by another hub")).to_be_visible()
    expect(page.get_by_role("button", name="Continue")).to_have_count(0)
    assert_accessible(page)

    page.get_by_role(
        "link", name="Find programmes from the hubs that serve Preston Primary"
    ).click()
    expect(
        page.get_by_text("Showing offerings from the hub serving Preston Primary")
    ).to_be_visible()
    expect(page.get_by_role("heading", name="No offerings match")).to_be_visible()
    assert_accessible(page)
    assert not Application.objects.exists()


@pytest.mark.parametrize("width", [1280, 390], ids=["desktop", "phone"])
def test_the_approver_releases_the_teacher_from_the_emailed_link(page, live_server, world, width):
    page.set_viewport_size({"width": width, "height": 900})
    # Given a teacher's application, and the email asking their school
    teacher = TeacherFactory(full_name="Jo Teacher", school=world["leeds_school"])
    application = services.submit_application(
        offering=world["offering"],
        applicant=teacher,
        school=teacher.school,
        job_role="class_teacher",
        approver_email=APPROVER,
    )
    email = next(email for email in mail.outbox if email.to == [APPROVER])
    link = re.search(r"https?://\S+(/approvals/\S+/)", email.body).group(1)

    # When the approver opens the link, without an account, and releases the teacher
    page.goto(live_server.url + link)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Will you release Jo Teacher for Primary Mastery?"
    )
    assert_accessible(page)
    page.get_by_role("button", name="Release this teacher").click()

    # Then the page confirms it and the application goes to the hub, released by the head
    expect(page.get_by_role("heading", name="Jo Teacher is released")).to_be_visible()
    assert_accessible(page)
    application.refresh_from_db()
    assert application.state == State.SUBMITTED
    assert application.history.last().by_label == APPROVER
    assert application.school_confirmed


@pytest.mark.parametrize("width", [1280, 390], ids=["desktop", "phone"])
def test_the_approver_releases_and_confirms_staff_in_the_portal(page, live_server, world, width):
    page.set_viewport_size({"width": width, "height": 900})
    teacher = TeacherFactory(full_name="Jo Teacher", school=world["leeds_school"])
    application = services.submit_application(
        offering=world["offering"],
        applicant=teacher,
        school=teacher.school,
        job_role="class_teacher",
        approver_email=APPROVER,
    )
    colleague = TeacherFactory(full_name="Sam Colleague", school=world["leeds_school"])
    Affiliation.objects.create(person=colleague, school=world["leeds_school"])
    sign_in(page, live_server, world["head"])

    page.goto(f"{live_server.url}/school/approvals/")
    expect(page.get_by_role("heading", name="Jo Teacher: Primary Mastery")).to_be_visible()
    assert_accessible(page)
    page.get_by_role(
        "button", name=re.compile(r"^Release\s+Jo Teacher for Primary Mastery$")
    ).click()
    expect(page.get_by_text("You released Jo Teacher for Primary Mastery.")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name=re.compile(r"^They work here\W+Sam Colleague$")).click()
    expect(page.get_by_text("You confirmed that Sam Colleague works at St Mary")).to_be_visible()
    assert_accessible(page)

    application.refresh_from_db()
    assert (application.state, application.history.last().by) == (State.SUBMITTED, world["head"])
    assert Affiliation.objects.get(person=colleague).state == "confirmed"


def test_a_withdrawal_offers_the_place_to_the_waiting_list(page, live_server, world):
    # Given a one-place offering, held by one teacher, with another on the waiting list
    offering = world["offering"]
    offering.capacity = 1
    offering.save()
    hub_staff = UserFactory()
    placed_teacher = TeacherFactory(school=world["leeds_school"])
    waiting_teacher = TeacherFactory(full_name="Wai Ting", school=world["leeds_school"])
    for teacher, decision in ((placed_teacher, "accept"), (waiting_teacher, "waitlist")):
        application = services.submit_application(
            offering=offering,
            applicant=teacher,
            school=teacher.school,
            job_role="class_teacher",
            approver_email=APPROVER,
        )
        services.record_school_decision(
            application=application, release=True, approver_email=APPROVER
        )
        services.decide_application(application=application, decision=decision, by=hub_staff)

    # When the teacher with the place withdraws
    sign_in(page, live_server, placed_teacher)
    page.goto(f"{live_server.url}/account/applications/")
    expect(page.locator("strong", has_text=re.compile("^Accepted$"))).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Withdraw your application for Primary Mastery").click()
    expect(page.get_by_text("You will lose your place")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Withdraw application").click()
    expect(
        page.get_by_text("You have withdrawn your application for Primary Mastery.")
    ).to_be_visible()
    assert_accessible(page)

    # Then the waiting teacher's applications page offers them the place, and they take it
    sign_in(page, live_server, waiting_teacher)
    page.goto(f"{live_server.url}/account/applications/")
    expect(
        page.locator("strong", has_text=re.compile("^Place offered from the waiting list$"))
    ).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Take up the place on Primary Mastery").click()
    expect(page.get_by_text("You have a place on Primary Mastery.")).to_be_visible()
    expect(page.locator("strong", has_text=re.compile("^Accepted$"))).to_be_visible()
    assert_accessible(page)


def apply_through_the_journey(page, *, approver_email: str) -> None:
    """Apply from the offering page: your details, who releases you, check your answers."""
    page.get_by_role("button", name="Apply for a place").click()
    page.get_by_label("Class or subject teacher").check()
    page.get_by_role("button", name="Continue").click()
    # Nobody at these schools is a registered approver: the page asks only for the address.
    page.get_by_label("Their school email address").fill(approver_email)
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Send application").click()
