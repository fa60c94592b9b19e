"""Running an offering (issue 14): undoing a completion, reordering the waiting list and
messaging participants, in a real browser at desk and phone widths, without JavaScript, with
axe-core on every page."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cpdnet.applications.models import Application
from cpdnet.delivery.models import Attendance, Certificate, Reflection
from cpdnet.delivery.services import confirm_completion
from cpdnet.hubs.services import ensure_networks
from tests.factories import (
    ApplicationFactory,
    HubFactory,
    OfferingFactory,
    ProgrammeFactory,
    RoleAssignmentFactory,
    SessionFactory,
    TeacherFactory,
    UserFactory,
)

from . import test_finding_your_way as finding_your_way

DESK, PHONE = finding_your_way.DESK, finding_your_way.PHONE
# The same fixtures: pages as a person at a width, and axe plus the width check.
browse, check = finding_your_way.browse, finding_your_way.check

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _no_emails(settings):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": ["default"]}
    }


@pytest.fixture
def world(transactional_db):
    hub = HubFactory(network=ensure_networks()["maths"], slug="hub-a", name="Abacus Maths Hub")
    staff = UserFactory(email="staff@hub-a.example.org", full_name="Ann Staff")
    RoleAssignmentFactory(user=staff, role="hub_staff", hub=hub)
    offering = OfferingFactory(
        hub=hub,
        facilitator=staff,
        capacity=2,
        programme=ProgrammeFactory(
            network=hub.network, title="Primary Mastery", requires_final_reflection=True
        ),
    )
    people = [
        ApplicationFactory(
            offering=offering,
            state="accepted",
            applicant=TeacherFactory(email=f"{name.lower()}@school.example.org", full_name=name),
        )
        for name in ("Ada Lovelace", "Alan Turing")
    ]
    for days in (20, 10):
        starts_at = timezone.now() - datetime.timedelta(days=days)
        session = SessionFactory(
            offering=offering, starts_at=starts_at, ends_at=starts_at + datetime.timedelta(hours=2)
        )
        for application in people:
            Attendance.objects.create(application=application, session=session, status="attended")
    waiting = [
        ApplicationFactory(
            offering=offering,
            state="waitlisted",
            waitlisted_at=timezone.now() - datetime.timedelta(days=3 - index),
            applicant=TeacherFactory(email=f"{name.lower()}@school.example.org", full_name=name),
        )
        for index, name in enumerate(("Grace Hopper", "Katherine Johnson", "Mary Somerville"))
    ]
    return {"staff": staff, "offering": offering, "people": people, "waiting": waiting}


@pytest.mark.parametrize("width", [DESK, PHONE])
def test_undo_a_completion_without_javascript(browse, check, live_server, world, width):
    # Given completion confirmed too early: Ada wrote her final reflection, Alan not yet
    ada, alan = world["people"]
    Reflection.objects.create(application=ada, is_final=True, text="Done")
    confirm_completion(offering=world["offering"], by=world["staff"])
    code = Certificate.objects.get().code
    page = browse(width=width, javascript=False, user=world["staff"])
    page.goto(f"{live_server.url}/backoffice/offerings/{world['offering'].pk}/")
    check(page)
    page.get_by_role("link", name="undo the completion").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Undo completion")
    expect(page.get_by_role("cell", name="Accepted; certificate withdrawn")).to_be_visible()
    check(page)
    page.get_by_role("button", name="Undo completion and email participants").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Say why")
    check(page)
    page.get_by_label("Why is the completion undone?").fill("Alan's reflection was not yet due")
    page.get_by_role("button", name="Undo completion and email participants").click()
    expect(page.get_by_text("Completion undone: 2 places back to accepted")).to_be_visible()
    assert set(
        Application.objects.filter(pk__in=[ada.pk, alan.pk]).values_list("state", flat=True)
    ) == {"accepted"}
    check(page)
    page.goto(f"{live_server.url}/certificates/{code}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("This certificate was withdrawn")
    check(page)


@pytest.mark.parametrize("width", [DESK, PHONE])
def test_reorder_the_waiting_list_without_javascript(browse, check, live_server, world, width):
    grace, katherine, mary = world["waiting"]
    page = browse(width=width, javascript=False, user=world["staff"])
    page.goto(f"{live_server.url}/backoffice/hub/offerings/{world['offering'].pk}/waiting-list/")
    check(page)
    page.get_by_text("Move Mary Somerville", exact=True).click()
    page.get_by_role("button", name="Up one for Mary Somerville").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Say why")
    check(page)
    page.get_by_label("Why move Mary Somerville").fill("Only physics teacher at the school")
    page.get_by_label("New position for Mary Somerville").fill("1")
    page.get_by_role("button", name="Move to this position for Mary Somerville").click()
    expect(page.get_by_text("Mary Somerville moved from position 3 to 1.")).to_be_visible()
    expect(page.locator("table tbody tr").first).to_contain_text("Mary Somerville")
    check(page, screenshot=f"waiting-list-{width}" if width == DESK else "")
    assert [
        a.pk for a in Application.objects.filter(state="waitlisted").order_by("waitlist_rank")
    ] == [mary.pk, grace.pk, katherine.pk]


@pytest.mark.parametrize("width", [DESK, PHONE])
def test_message_participants_with_a_preview(browse, check, live_server, world, width):
    page = browse(width=width, javascript=width == DESK, user=world["staff"])
    page.goto(f"{live_server.url}/backoffice/offerings/{world['offering'].pk}/messages/")
    check(page)
    page.get_by_role("button", name="Check who gets it").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose who the message is for")
    check(page)
    page.get_by_label("Everyone with a place").check()
    page.get_by_label("Subject").fill("Bring a laptop")
    page.get_by_label("Message").fill("Next session we use the new tool.")
    page.get_by_role("button", name="Check who gets it").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your message")
    expect(page.get_by_text("2 people: everyone with a place")).to_be_visible()
    check(page, screenshot=f"message-preview-{width}" if width == DESK else "")
    page.get_by_role("button", name="Send to 2 people").click()
    expect(page.get_by_text("Message sent to 2 people.")).to_be_visible()
    expect(page.get_by_role("cell", name="Bring a laptop")).to_be_visible()
    check(page)
    teacher = browse(width=width, javascript=False, user=world["people"][0].applicant)
    teacher.goto(f"{live_server.url}/my/offerings/{world['offering'].pk}/")
    expect(teacher.get_by_text("Next session we use the new tool.")).to_be_visible()
    check(teacher)
