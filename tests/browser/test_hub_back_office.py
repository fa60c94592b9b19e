"""Hub staff decide applications in a real browser, without JavaScript; each page passes axe."""

import re

import pytest
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max
from playwright.sync_api import expect

from cpdnet.applications.models import Application
from cpdnet.audit.services import record
from cpdnet.hubs.services import ensure_networks
from cpdnet.programmes.academic_years import current_academic_year
from cpdnet.schools.services import load_local_authorities
from tests.browser.conftest import _assert_axe_clean, assert_accessible, sign_in
from tests.factories import (
    ApplicationFactory,
    HubFactory,
    OfferingFactory,
    ProgrammeFactory,
    RoleAssignmentFactory,
    TeacherFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _no_emails(settings):
    # Decisions enqueue emails on commit; this journey is about the hub's pages.
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": ["default"]}
    }


@pytest.fixture
def world(transactional_db):
    load_local_authorities()  # transactional tests empty the tables the migration filled
    networks = ensure_networks()
    hub = HubFactory(network=networks["maths"], slug="hub-a", name="Abacus Maths Hub")
    offering = OfferingFactory(
        hub=hub,
        programme=ProgrammeFactory(network=networks["maths"], title="Primary Mastery"),
        academic_year=current_academic_year(),
        capacity=5,
    )
    teacher = TeacherFactory(email="ada@school.example.org", full_name="Ada Lovelace")
    application = ApplicationFactory(offering=offering, applicant=teacher)
    staff = UserFactory(email="staff@hub-a.example.org", full_name="Ann Staff")
    RoleAssignmentFactory(user=staff, role="hub_staff", hub=hub)
    national = UserFactory(email="national@example.org")
    RoleAssignmentFactory(user=national, role="national_staff")
    return {"offering": offering, "application": application, "staff": staff, "national": national}


@pytest.fixture
def check_accessible(chromium, live_server):
    """Run axe on the markup a page without JavaScript shows (behind sign-in, after a POST).

    axe needs JavaScript, so it runs in a second page that blocks the site's own scripts,
    given the page's markup on the same origin.
    """
    context = chromium.new_context(locale="en-GB")
    context.route("**/*.js", lambda route: route.abort())
    checked = context.new_page()
    checked.goto(f"{live_server.url}/static/cpdnet/cpdnet.css")  # the origin, for the styles

    def check(page) -> None:
        checked.set_content(page.content())
        _assert_axe_clean(checked)

    yield check
    context.close()


def test_hub_staff_waitlist_an_application_without_javascript(
    page_without_javascript, live_server, world, check_accessible
):
    page = page_without_javascript
    sign_in(page, live_server, world["staff"])

    page.goto(f"{live_server.url}/backoffice/")
    check_accessible(page)
    page.get_by_role("link", name="Hub offerings and applications").click()
    expect(page.get_by_role("heading", level=2, name="Abacus Maths Hub")).to_be_visible()
    check_accessible(page)

    page.get_by_role("link", name="Primary Mastery", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Applications: Primary Mastery")
    check_accessible(page)

    page.get_by_label("Select Ada Lovelace").check()
    page.get_by_label("Put on the waiting list").check()
    page.get_by_role("button", name="Check the decision and emails").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check before you send")
    expect(
        page.get_by_text("Subject: You are on the waiting list: Primary Mastery")
    ).to_be_visible()
    check_accessible(page)
    assert Application.objects.get(pk=world["application"].pk).state == "submitted"
    page.get_by_role("button", name="Confirm and send 1 email").click()

    expect(page.get_by_text("1 application put on the waiting list.")).to_be_visible()
    check_accessible(page)
    assert Application.objects.get(pk=world["application"].pk).state == "waitlisted"

    page.get_by_role("link", name="Waiting list").first.click()
    expect(page.get_by_role("cell", name="1", exact=True)).to_be_visible()
    check_accessible(page)


def test_mistakes_on_the_hub_forms_are_summarised_accessibly(
    page_without_javascript, live_server, world, check_accessible
):
    page = page_without_javascript
    sign_in(page, live_server, world["staff"])

    page.goto(f"{live_server.url}/backoffice/hub/applications/{world['application'].pk}/")
    check_accessible(page)
    page.get_by_role("button", name="Save decision").click()
    expect(page).to_have_title(re.compile("^Error: "))
    expect(page.get_by_role("link", name="Choose accept, waiting list or decline")).to_be_visible()
    check_accessible(page)

    page.goto(f"{live_server.url}/backoffice/hub/offerings/{world['offering'].pk}/edit/")
    check_accessible(page)
    page.get_by_label("Places").fill("")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("link", name="Enter the number of places")).to_be_visible()
    check_accessible(page)


def test_the_audit_trail_is_accessible(page, live_server, world):
    record(actor=world["staff"], action="a.b", obj=world["offering"], summary="Changed it")
    sign_in(page, live_server, world["national"])

    page.goto(f"{live_server.url}/backoffice/audit/")

    expect(page.get_by_role("heading", level=1)).to_have_text("Audit trail")
    expect(page.get_by_role("cell", name="Changed it")).to_be_visible()
    assert_accessible(page)


def test_failed_tasks_are_listed_and_retried_accessibly(page, live_server, world):
    # Given a failed background task
    failed = DBTaskResult.objects.create(
        status=TaskResultStatus.FAILED,
        task_path="cpdnet.programmes.tasks.send_recording_emails_task",
        args_kwargs={"args": [world["offering"].pk], "kwargs": {}},
        queue_name="default",
        backend_name="default",
        run_after=get_date_max(),
        exception_class_path="smtplib.SMTPServerDisconnected",
        traceback="Traceback ...\nsmtplib.SMTPServerDisconnected: Connection lost",
    )
    sign_in(page, live_server, world["national"])

    # When national staff open the list, then it shows why, and passes axe
    page.goto(f"{live_server.url}/backoffice/tasks/failed/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Failed background tasks")
    expect(page.get_by_role("cell", name="smtplib.SMTPServerDisconnected: Connection lost"))
    assert_accessible(page)

    # And trying again (without JavaScript) leaves a message and an empty list
    page.get_by_role("button", name=re.compile("^Try again")).click()
    expect(page.get_by_text("send_recording_emails_task will run again shortly.")).to_be_visible()
    expect(page.get_by_text("No background task has failed.")).to_be_visible()
    assert not DBTaskResult.objects.filter(pk=failed.pk).exists()
    assert_accessible(page)
