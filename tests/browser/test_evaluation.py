"""Surveys, certificates and page feedback in a real browser, checked with axe-core."""

import datetime
import importlib
import re

import pytest
from django.apps import apps as django_apps
from django.utils import timezone
from playwright.sync_api import expect

from cpdnet.delivery.certificates import issue_certificate
from cpdnet.delivery.models import Attendance, AttendanceStatus
from cpdnet.evaluation.models import PageFeedback, SurveyResponse
from cpdnet.hubs.services import ensure_networks
from tests.factories import (
    ApplicationFactory,
    HubFactory,
    OfferingFactory,
    ProgrammeFactory,
    SessionFactory,
    TeacherFactory,
)

from .conftest import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SEED = importlib.import_module("cpdnet.evaluation.migrations.0002_national_questions")


@pytest.fixture
def world(transactional_db):
    """A teacher who completed one offering (two sessions attended) and has a place on another."""
    SEED.add_questions(django_apps, None)  # transactional tests empty the seeded tables
    maths = ensure_networks()["maths"]
    hub = HubFactory(network=maths, name="West Yorkshire Maths Hub")
    teacher = TeacherFactory(email="zoe@school.example.org", full_name="Zoë Ødegaard-Nguyễn")
    done = OfferingFactory(
        hub=hub, programme=ProgrammeFactory(network=maths, title="Mastering Number")
    )
    place = ApplicationFactory(offering=done, applicant=teacher, state="accepted")
    start = timezone.now() - datetime.timedelta(days=40)
    for day in (0, 14):
        session = SessionFactory(
            offering=done,
            starts_at=start + datetime.timedelta(days=day),
            ends_at=start + datetime.timedelta(days=day, hours=2),
        )
        Attendance.objects.create(
            session=session, application=place, status=AttendanceStatus.ATTENDED
        )
    place.state = "completed"
    place.save()
    certificate = issue_certificate(application=place)
    current = OfferingFactory(
        hub=hub, programme=ProgrammeFactory(network=maths, title="Primary Mastery")
    )
    SessionFactory(offering=current)
    ApplicationFactory(offering=current, applicant=teacher, state="accepted")
    return {"teacher": teacher, "done": done, "current": current, "certificate": certificate}


def test_a_participant_downloads_their_certificate_and_anyone_can_check_it(
    page, live_server, world
):
    certificate = world["certificate"]
    sign_in(page, live_server, world["teacher"])

    page.goto(f"{live_server.url}/my/offerings/{world['done'].pk}/")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download your certificate (PDF)").click()
    download = download_info.value
    assert download.suggested_filename == f"certificate-{certificate.code}.pdf"
    with open(download.path(), "rb") as pdf:
        content = pdf.read()
    assert content.startswith(b"%PDF")
    assert certificate.code.encode() in content

    page.context.clear_cookies()
    page.goto(f"{live_server.url}/certificates/")
    assert_accessible(page)
    page.get_by_label("Verification code").fill(certificate.code.lower().replace("-", " "))
    page.get_by_role("button", name="Check the certificate").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("This certificate is valid")
    expect(page.get_by_text("Zoë Ødegaard-Nguyễn")).to_be_visible()
    expect(page.get_by_text("4.0")).to_be_visible()
    assert_accessible(page)

    page.goto(f"{live_server.url}/certificates/ABCD-EFGH-JKLM/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Certificate not found")
    assert_accessible(page)


def test_a_participant_answers_the_start_survey(page, live_server, world):
    sign_in(page, live_server, world["teacher"])
    page.goto(f"{live_server.url}/my/offerings/{world['current'].pk}/survey/start/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Survey at the start")
    assert_accessible(page)

    page.get_by_role("button", name="Send your answers").click()
    expect(page).to_have_title(re.compile("^Error: "))
    expect(page.get_by_role("alert").get_by_text("There is a problem")).to_be_visible()
    assert_accessible(page)

    for group in page.locator("main fieldset").all():
        group.get_by_label("Agree", exact=True).check()
    page.get_by_role("button", name="Send your answers").click()
    expect(page.get_by_text("Thank you: your answers are saved.")).to_be_visible()
    assert SurveyResponse.objects.get().answers.filter(score=4).count() == 8
    assert_accessible(page)


def test_page_feedback_works_without_javascript(page_without_javascript, live_server, world):
    page = page_without_javascript
    page.goto(f"{live_server.url}/certificates/")
    assert_accessible(page, javascript=False)

    feedback = page.locator("#page-feedback")
    feedback.get_by_role("group", name="Is this page useful?").get_by_label("No").check()
    feedback.get_by_role("group", name="Was this written in plain English?").get_by_label(
        "Yes"
    ).check()
    feedback.get_by_text("Tell us more (optional)").click()
    feedback.get_by_label("How could this page be better?").fill("Say where the code is.")
    feedback.get_by_role("button", name="Send feedback").click()

    expect(
        page.locator("#page-feedback").get_by_text("Thank you for your feedback.")
    ).to_be_visible()
    assert page.url.endswith("/certificates/?page_feedback=sent#page-feedback")
    stored = PageFeedback.objects.get()
    assert (stored.path, stored.is_useful, stored.is_plain_english) == (
        "/certificates/",
        False,
        True,
    )
    assert_accessible(page, javascript=False)
