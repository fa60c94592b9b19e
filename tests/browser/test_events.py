"""Webinars in a real browser: a visitor registers and cancels from the emailed link; the hub
takes attendance. axe-core checks every page."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from cpdnet.events.models import Registration, RegistrationStatus
from cpdnet.events.tests.factories import RegistrationFactory, WebinarFactory
from cpdnet.hubs.services import ensure_networks
from tests.factories import HubFactory, RoleAssignmentFactory, SchoolFactory

from .conftest import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def webinar(transactional_db):
    network = ensure_networks()["maths"]
    hub = HubFactory(network=network, name="West Yorkshire Maths Hub")
    return WebinarFactory(
        hub=hub,
        programme__network=network,
        programme__title="Reasoning with fractions",
        capacity=1,
    )


def test_a_visitor_registers_for_a_webinar_and_cancels_from_the_email(page, live_server, webinar):
    SchoolFactory(urn=107999, name="St Mary's Catholic Primary School")
    RegistrationFactory(
        offering=webinar, email="waiting@example.org", status=RegistrationStatus.WAITLISTED
    )

    # The catalogue's page offers registration, not an application
    page.goto(f"{live_server.url}/programmes/offerings/{webinar.pk}/")
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Register for Reasoning with fractions"
    )
    assert_accessible(page)

    # A mistake is shown in the error summary
    page.get_by_label("Full name").fill("Ada Lovelace")
    page.get_by_label("Email address").fill("ada-at-example.org")
    page.get_by_label("Class or subject teacher").check()
    page.get_by_label("School", exact=True).check()
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Enter an email address in the correct format"
    )
    assert_accessible(page)

    # Put right, the visitor is registered and emailed
    page.get_by_label("Email address").fill("ada@example.org")
    page.get_by_label("Your school's URN (optional)").fill("107999")
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You are registered")
    assert_accessible(page)
    message = next(m for m in mail.outbox if m.to == ["ada@example.org"])
    link = re.search(r"https?://[^/\s]+(/events/registrations/[^/\s]+/)", message.body).group(1)

    # The emailed link shows the registration and cancels it
    page.goto(live_server.url + link)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Your registration")
    assert_accessible(page)
    page.get_by_role("button", name="Cancel my registration").click()
    expect(page.locator("main strong.govuk-tag")).to_have_text("Cancelled")
    assert_accessible(page)
    waiting = Registration.objects.get(email="waiting@example.org")
    assert waiting.status == RegistrationStatus.CONFIRMED


def test_hub_staff_take_the_register_and_upload_an_attendance_report(
    page, live_server, webinar, tmp_path
):
    ada = RegistrationFactory(offering=webinar, name="Ada Lovelace", email="ada@example.org")
    grace = RegistrationFactory(
        offering=webinar, name="Grace Hopper", status=RegistrationStatus.WAITLISTED
    )
    sign_in(page, live_server, RoleAssignmentFactory(role="hub_staff", hub=webinar.hub).user)

    page.goto(f"{live_server.url}/backoffice/events/{webinar.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Registrations")
    assert_accessible(page)
    page.get_by_label("Grace Hopper attended").check()
    page.get_by_role("button", name="Save attendance for this page").click()
    expect(page.get_by_role("alert")).to_contain_text("1 of 2 marked as attended")
    grace.refresh_from_db()
    assert grace.attended is True

    report = tmp_path / "zoom.csv"
    report.write_text("Name (Original Name),User Email\nAda,ADA@example.org\n")
    page.get_by_role("link", name="Upload an attendance report").click()
    assert_accessible(page)
    page.get_by_label("Attendance report (CSV)").set_input_files(str(report))
    page.get_by_role("button", name="Upload and mark attendance").click()
    expect(page.get_by_role("alert")).to_contain_text("1 registered people marked as attended")
    ada.refresh_from_db()
    assert ada.attended is True
