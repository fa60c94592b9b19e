"""Finding your way (issue 14) in a real browser, at desk (1280 px) and phone (390 px) widths,
with and without JavaScript; axe-core checks every page and no page is wider than the screen.

Set CPDNET_SCREENSHOTS to a folder to save the main pages as PNG (see docs/screenshots/).
"""

import datetime
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from cpdnet.applications.models import Application
from cpdnet.audit.services import record
from cpdnet.events.tests.factories import WebinarFactory
from cpdnet.hubs.services import ensure_networks
from cpdnet.programmes.academic_years import current_academic_year
from cpdnet.schools.services import load_local_authorities
from tests.factories import (
    ApplicationFactory,
    HubAreaFactory,
    HubFactory,
    OfferingFactory,
    ProgrammeFactory,
    RoleAssignmentFactory,
    SchoolFactory,
    SessionFactory,
    TeacherFactory,
    UserFactory,
)

from .conftest import _assert_axe_clean

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESK, PHONE = 1280, 390
SCREENSHOTS = os.environ.get("CPDNET_SCREENSHOTS", "")


@pytest.fixture(autouse=True)
def _no_emails(settings):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": ["default"]}
    }


@pytest.fixture
def world(transactional_db):
    load_local_authorities()  # transactional tests empty the tables the migration filled
    networks = ensure_networks()
    hub = HubFactory(network=networks["maths"], slug="hub-a", name="Abacus Maths Hub")
    HubAreaFactory(hub=hub, local_authority_id="383")
    school = SchoolFactory(urn=107999, name="St Mary's Catholic Primary School")
    year = current_academic_year()
    placed_on = OfferingFactory(
        hub=hub,
        programme=ProgrammeFactory(network=networks["maths"], title="Primary Mastery"),
        academic_year=year,
        capacity=2,
    )
    open_offering = OfferingFactory(
        hub=hub,
        programme=ProgrammeFactory(
            network=networks["maths"], title="Reasoning in Key Stage 2", phase="primary"
        ),
        academic_year=year,
    )
    closed = OfferingFactory(
        hub=hub,
        programme=ProgrammeFactory(network=networks["maths"], title="Last Year's Group"),
        applications_open_at=timezone.now() - datetime.timedelta(days=400),
        applications_close_at=timezone.now() - datetime.timedelta(days=300),
    )
    teacher = TeacherFactory(
        email="ada@school.example.org", full_name="Ada Lovelace", school=school
    )
    ApplicationFactory(offering=placed_on, applicant=teacher, state="accepted")
    start = timezone.now() + datetime.timedelta(days=3)
    SessionFactory(
        offering=placed_on,
        title="Session one",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
    )
    SessionFactory(
        offering=open_offering,
        starts_at=start + datetime.timedelta(days=20),
        ends_at=start + datetime.timedelta(days=20, hours=2),
    )
    waiting = ApplicationFactory(
        offering=placed_on,
        applicant=TeacherFactory(email="grace@school.example.org", full_name="Grace Hopper"),
        state="waitlisted",
        waitlisted_at=timezone.now(),
    )
    submitted = ApplicationFactory(
        offering=placed_on,
        applicant=TeacherFactory(email="alan@school.example.org", full_name="Alan Turing"),
    )
    staff = UserFactory(email="staff@hub-a.example.org", full_name="Ann Staff")
    RoleAssignmentFactory(user=staff, role="hub_staff", hub=hub)
    approver = UserFactory(email="head@school.example.org", full_name="Hope Head")
    RoleAssignmentFactory(user=approver, role="school_approver", school=school)
    national = UserFactory(email="national@example.org")
    RoleAssignmentFactory(user=national, role="national_staff")
    return {
        "teacher": teacher,
        "staff": staff,
        "approver": approver,
        "national": national,
        "placed_on": placed_on,
        "open": open_offering,
        "closed": closed,
        "waiting": waiting,
        "submitted": submitted,
        "hub": hub,
    }


@pytest.fixture
def browse(chromium, live_server):
    """Open pages as a person, at a width, with or without JavaScript."""
    contexts = []

    def open_page(*, width: int = DESK, javascript: bool = True, user=None):
        context = chromium.new_context(
            locale="en-GB",
            viewport={"width": width, "height": 844 if width == PHONE else 900},
            java_script_enabled=javascript,
        )
        contexts.append(context)
        if user is not None:
            client = Client()
            client.force_login(user)
            context.add_cookies(
                [
                    {
                        "name": settings.SESSION_COOKIE_NAME,
                        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                        "url": live_server.url,
                    }
                ]
            )
        page = context.new_page()
        page.set_default_timeout(10_000)
        return page

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def check(chromium, live_server):
    """axe on the page's markup (run where axe may run, site scripts blocked when the page had
    none), and no page wider than its screen."""
    context = chromium.new_context(locale="en-GB")
    context.route("**/*.js", lambda route: route.abort())
    checked = context.new_page()
    checked.goto(f"{live_server.url}/static/cpdnet/cpdnet.css")

    def run(page, *, screenshot: str = "") -> None:
        width = page.viewport_size["width"]
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= width, f"{page.url} is {scroll_width} px wide at {width} px"
        checked.set_viewport_size(page.viewport_size)
        checked.set_content(page.content())
        _assert_axe_clean(checked)
        if SCREENSHOTS and screenshot:
            Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(Path(SCREENSHOTS) / f"{screenshot}.png"), full_page=False)

    yield run
    context.close()


@pytest.mark.parametrize("width", [DESK, PHONE])
def test_a_teacher_lands_on_their_home_after_signing_in(browse, check, live_server, world, width):
    # Given a teacher with a password and a place with a session in three days
    teacher = world["teacher"]
    teacher.set_password("a long password for the test")
    teacher.save()
    page = browse(width=width)
    # When they sign in with it
    page.goto(f"{live_server.url}/sign-in/password/")
    page.get_by_label("Email address").fill(teacher.email)
    page.get_by_label("Password").fill("a long password for the test")
    page.get_by_role("button", name="Sign in", exact=True).click()
    # Then they land on their home, with the next session's day and time
    expect(page).to_have_url(f"{live_server.url}/my/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your home")
    expect(page.get_by_role("link", name="Session one", exact=True)).to_be_visible()
    expect(page.get_by_text("(UK time)").first).to_be_visible()
    check(page, screenshot=f"home-teacher-{width}" if width == DESK else "")


def test_on_a_phone_the_menu_folds_with_javascript_and_shows_without(
    browse, check, live_server, world
):
    # With JavaScript: the links sit behind "Menu" until it is pressed
    page = browse(width=PHONE, user=world["staff"])
    page.goto(f"{live_server.url}/my/")
    menu = page.get_by_role("button", name="Menu")
    expect(menu).to_be_visible()
    your_hub = page.get_by_role("navigation", name="Menu").get_by_role("link", name="Your hub")
    expect(your_hub).to_be_hidden()
    menu.click()
    expect(your_hub).to_be_visible()
    check(page, screenshot="home-hub-staff-phone-menu")
    # Without JavaScript: no button, every link shown
    page = browse(width=PHONE, javascript=False, user=world["staff"])
    page.goto(f"{live_server.url}/my/")
    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    expect(
        page.get_by_role("navigation", name="Menu").get_by_role("link", name="Your hub")
    ).to_be_visible()
    check(page)


@pytest.mark.parametrize("width", [DESK, PHONE])
def test_each_role_sees_what_needs_them_now(browse, check, live_server, world, width):
    page = browse(width=width, javascript=False, user=world["staff"])
    page.goto(f"{live_server.url}/my/")
    expect(page.get_by_role("heading", name="Your hub's inbox")).to_be_visible()
    expect(page.get_by_role("link", name="Applications waiting for a decision")).to_be_visible()
    check(page, screenshot=f"home-hub-staff-{width}" if width == DESK else "")

    page = browse(width=width, javascript=False, user=world["approver"])
    page.goto(f"{live_server.url}/my/")
    expect(page.get_by_role("heading", name="Your staff's coming sessions")).to_be_visible()
    expect(page.get_by_role("cell", name="Ada Lovelace")).to_be_visible()
    check(page)


@pytest.mark.parametrize("width", [DESK, PHONE])
def test_error_pages_have_the_layout_and_a_way_on(browse, check, live_server, world, width):
    page = browse(width=width, user=world["teacher"])
    response = page.goto(f"{live_server.url}/backoffice/hub/")
    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("You cannot use this page")
    expect(page.get_by_role("link", name="your home")).to_be_visible()
    check(page)
    response = page.goto(f"{live_server.url}/no-such-page/")
    assert response.status == 404
    expect(page.get_by_role("link", name="Get help or contact us")).to_be_visible()
    check(page)


@pytest.mark.parametrize("width", [DESK, PHONE])
def test_footer_pages_every_public_service_has(browse, check, live_server, world, width):
    page = browse(width=width, javascript=False)
    page.goto(f"{live_server.url}/")
    for name in ("Accessibility statement", "Privacy notice", "Cookies", "Help and contact"):
        page.get_by_role("contentinfo").get_by_role("link", name=name).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(name)
        check(page)


@pytest.mark.parametrize("width", [DESK, PHONE])
def test_the_catalogue_opens_on_what_can_be_applied_for(browse, check, live_server, world, width):
    page = browse(width=width, javascript=False, user=world["teacher"])
    page.goto(f"{live_server.url}/programmes/")
    results = page.locator(".app-result-list")
    expect(results.get_by_role("link", name="Reasoning in Key Stage 2")).to_be_visible()
    expect(results.get_by_role("link", name="Last Year's Group")).to_have_count(0)
    check(page, screenshot=f"catalogue-{width}" if width == DESK else "")
    # Closed offerings come when asked for, without places left
    page.get_by_label("Include offerings closed for applications").check()
    page.get_by_role("button", name="Apply filters").click()
    closed = results.get_by_role("listitem").filter(has_text="Last Year's Group")
    expect(closed).to_contain_text("Closed")
    expect(closed).not_to_contain_text("places left")
    # An offering shows each session's date and times, and whether this teacher can apply
    page.goto(f"{live_server.url}/programmes/offerings/{world['open'].pk}/")
    expect(page.locator("#eligibility")).to_contain_text("You can apply")
    expect(page.get_by_role("link", name="Add to calendar (session 1)")).to_be_visible()
    check(page, screenshot=f"offering-{width}" if width == DESK else "")


@pytest.mark.parametrize("width", [DESK, PHONE])
def test_a_webinar_confirmation_gives_the_time_and_a_calendar_file(
    browse, check, live_server, world, width
):
    webinar = WebinarFactory(hub=world["hub"], programme__network=world["hub"].network)
    start = timezone.now() + datetime.timedelta(days=9)
    SessionFactory(offering=webinar, starts_at=start, ends_at=start + datetime.timedelta(hours=1))
    page = browse(width=width, javascript=False)
    page.goto(f"{live_server.url}/events/{webinar.pk}/register/")
    page.get_by_label("Full name").fill("Guest Visitor")
    page.get_by_label("Email address").fill("guest@example.org")
    page.get_by_label("Class or subject teacher").check()
    page.get_by_label("School", exact=True).check()
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You are registered")
    link = page.get_by_role("link", name="Add to calendar (session 1)")
    expect(link).to_be_visible()
    local = timezone.localtime(start)
    expect(page.get_by_text(f"{local:%H:%M} to")).to_be_visible()
    check(page)


@pytest.mark.parametrize("width", [DESK, PHONE])
def test_waiting_list_offer_by_hand_without_javascript(browse, check, live_server, world, width):
    page = browse(width=width, javascript=False, user=world["staff"])
    page.goto(f"{live_server.url}/backoffice/hub/offerings/{world['placed_on'].pk}/waiting-list/")
    check(page)
    page.get_by_text("Offer the place").first.click()
    page.get_by_role("button", name="Offer the place to Grace Hopper").click()
    expect(
        page.get_by_role("link", name="Say why this person is offered the place")
    ).to_be_visible()
    check(page)
    page.get_by_label("Why this person, before those waiting longer").fill("Only KS2 lead")
    page.get_by_role("button", name="Offer the place to Grace Hopper").click()
    expect(page.get_by_text("Grace Hopper has been offered the place and emailed.")).to_be_visible()
    assert Application.objects.get(pk=world["waiting"].pk).state == "place_offered"
    check(page)


@pytest.mark.parametrize("width", [DESK, PHONE])
def test_bulk_select_all_and_preview_without_javascript(browse, check, live_server, world, width):
    page = browse(width=width, javascript=False, user=world["staff"])
    page.goto(f"{live_server.url}/backoffice/hub/offerings/{world['placed_on'].pk}/applications/")
    page.get_by_role("link", name="Select all").click()
    page.get_by_label("Decline").check()
    page.get_by_role("button", name="Check the decision and emails").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check before you send")
    # One summary names each person who cannot be declined
    expect(page.locator(".govuk-error-summary")).to_have_count(1)
    expect(page.locator(".govuk-error-summary")).to_contain_text("Ada Lovelace")
    check(page, screenshot=f"bulk-preview-{width}" if width == DESK else "")


@pytest.mark.parametrize("width", [DESK, PHONE])
def test_wide_tables_stay_inside_the_screen(browse, check, live_server, world, width):
    record(
        actor=world["staff"],
        action="applications.application.declined",
        obj=world["placed_on"],
        summary="Declined: a-very-long-email-address-without-spaces@an-example-school.example.org",
        data={"reason": "x" * 120},
    )
    page = browse(width=width, user=world["national"])
    page.goto(f"{live_server.url}/backoffice/audit/")
    check(page)
    page.goto(f"{live_server.url}/backoffice/hub/offerings/{world['placed_on'].pk}/applications/")
    check(page)


@pytest.mark.parametrize("width", [DESK, PHONE])
def test_registers_warn_before_the_session_and_print_on_paper(
    browse, check, live_server, world, width
):
    # Given a facilitator's session next week with one participant
    offering = world["placed_on"]
    offering.facilitator = world["staff"]
    offering.save()
    session = offering.sessions.get()
    url = f"{live_server.url}/backoffice/offerings/{offering.pk}/sessions/{session.pk}/register/"
    page = browse(width=width, javascript=False, user=world["staff"])
    page.goto(url)
    expect(page.get_by_text("This session has not happened yet.")).to_be_visible()
    check(page)
    page.get_by_label("Attended").first.check()
    page.get_by_role("button", name="Save the register").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("has not started yet")
    check(page)
    page.goto(url)
    page.get_by_role("link", name="Print a paper register").click()
    expect(page.get_by_role("cell", name="Ada Lovelace")).to_be_visible()
    check(page)


def test_the_public_hub_page_shows_no_internal_notes(browse, check, live_server, world):
    hub = world["hub"]
    hub.source = "Scraped from the hub's web page"
    hub.areas_note = "NCETM page council areas"
    hub.save()
    page = browse(width=PHONE, javascript=False)
    page.goto(f"{live_server.url}/hubs/{hub.slug}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Abacus Maths Hub")
    expect(page.get_by_text("Scraped from")).to_have_count(0)
    expect(page.get_by_text("NCETM page council areas")).to_have_count(0)
    check(page)
