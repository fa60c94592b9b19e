"""Applying to a PD Lead programme in a real browser: the teacher reads the information sheet
and gives evidence of the PD they lead (on a phone, with and without JavaScript), their hub lead
endorses the application, and national staff accept it."""

import re

import pytest
from django.core.files.base import ContentFile
from playwright.sync_api import expect

from cpdnet.accreditation.models import Endorsement
from cpdnet.applications import services
from cpdnet.applications.models import Application, State
from cpdnet.delivery.models import DocumentKind, ProgrammeDocument
from cpdnet.delivery.uploads import keep
from cpdnet.hubs.services import ensure_networks
from cpdnet.programmes.academic_years import current_academic_year
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

from .conftest import _assert_axe_clean, assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

APPROVER = "head@leeds-secondary.example.org"


@pytest.fixture
def world(transactional_db):
    load_local_authorities()
    maths = ensure_networks()["maths"]
    hub = HubFactory(
        network=maths, slug="west-yorkshire-maths-hub", name="West Yorkshire Maths Hub"
    )
    HubAreaFactory(hub=hub, local_authority_id="383")
    school = SchoolFactory(urn=108000, name="Leeds Secondary Academy", phase="Secondary")
    programme = ProgrammeFactory(
        network=maths,
        title="PD Lead Programme (secondary)",
        kind="accreditation",
        phase="secondary",
        key_stages="KS3,KS4",
        audience="subject_lead,senior_leader,class_teacher",
    )
    ProgrammeDocument.objects.create(
        programme=programme,
        kind=DocumentKind.INFORMATION_SHEET,
        title="PD Lead information sheet",
        stored_name=keep(ContentFile(b"%PDF-1.4\n% information sheet\n"), extension="pdf"),
        original_name="pd-lead-information-sheet.pdf",
        content_type="application/pdf",
        size_bytes=30,
    )
    offering = OfferingFactory(
        hub=hub, programme=programme, academic_year=current_academic_year(), local_only=False
    )
    head = UserFactory(email=APPROVER, full_name="Pat Head")
    RoleAssignmentFactory(user=head, role="school_approver", school=school)
    lead = UserFactory(email="lead@wymh.example.org", full_name="Hana Hublead")
    RoleAssignmentFactory(user=lead, role="hub_staff", hub=hub)
    national = UserFactory(email="national@example.org", full_name="Nadia National")
    RoleAssignmentFactory(user=national, role="national_staff")
    teacher = TeacherFactory(
        email="sam@leeds-secondary.example.org",
        full_name="Sam Subjectlead",
        school=school,
        job_role="subject_lead",
    )
    return {"offering": offering, "lead": lead, "national": national, "teacher": teacher}


def _check(page, *, javascript: bool) -> None:
    """axe on the markup shown (also after a POST): without JavaScript, in a second context
    that blocks the site's scripts."""
    if javascript:
        assert_accessible(page)
        return
    context = page.context.browser.new_context(locale="en-GB")
    context.route("**/*.js", lambda route: route.abort())
    try:
        checked = context.new_page()
        checked.goto(page.url)
        checked.set_content(page.content())
        _assert_axe_clean(checked)
    finally:
        context.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["with-javascript", "without"])
def test_a_teacher_applies_the_hub_endorses_and_national_staff_accept(
    request, live_server, world, javascript
):
    page = request.getfixturevalue("page" if javascript else "page_without_javascript")
    page.set_viewport_size({"width": 390, "height": 900})
    offering = world["offering"]
    sign_in(page, live_server, world["teacher"])

    # The teacher starts applying: their details are remembered from their account
    page.goto(f"{live_server.url}/programmes/offerings/{offering.pk}/apply/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your details")
    _check(page, javascript=javascript)
    page.get_by_role("button", name="Continue").click()

    # They must read the information sheet: it downloads, and the box must be ticked
    expect(page.get_by_role("heading", level=1)).to_have_text("Read the information sheet")
    _check(page, javascript=javascript)
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("^Download PD Lead information sheet")).click()
    assert download.value.suggested_filename == "pd-lead-information-sheet.pdf"
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_title(re.compile("^Error: "))
    expect(
        page.get_by_role("link", name="Confirm that you have read the information sheet")
    ).to_be_visible()
    _check(page, javascript=javascript)
    page.get_by_label("I have read the information sheet").check()
    page.get_by_role("button", name="Continue").click()

    # They say what PD they lead: leading only in their own school is refused with why
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "The professional development you lead"
    )
    _check(page, javascript=javascript)
    page.get_by_label("Work Group Lead").check()
    page.get_by_label("What professional development do you lead?").fill(
        "A secondary mastery Work Group for six schools."
    )
    page.get_by_label("Who is it for?").fill("Twelve teachers from six schools.")
    page.get_by_label("No, only in my own school").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("already design and lead professional development")).to_be_visible()
    _check(page, javascript=javascript)
    page.get_by_label("Yes, for teachers from other schools").check()
    page.get_by_role("button", name="Continue").click()

    # Then who releases them, and the check of every answer
    expect(page.get_by_role("heading", level=1)).to_have_text("Who will release you?")
    page.get_by_label(re.compile(r"^Pat Head")).check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Check your answers before sending your application"
    )
    expect(page.get_by_text("You have read PD Lead information sheet")).to_be_visible()
    expect(page.get_by_text("A secondary mastery Work Group for six schools.")).to_be_visible()
    _check(page, javascript=javascript)
    page.get_by_role("button", name="Send application").click()
    expect(page.get_by_role("heading", name="Application sent")).to_be_visible()
    _check(page, javascript=javascript)
    application = Application.objects.get(applicant=world["teacher"])
    assert application.information_sheet_acknowledged_at is not None
    assert application.pd_leadership.beyond_own_school is True

    # The school releases them (by its emailed link, tested elsewhere)
    services.record_school_decision(application=application, release=True, approver_email=APPROVER)

    # The hub lead endorses it from the endorsement queue
    sign_in(page, live_server, world["lead"])
    page.goto(f"{live_server.url}/backoffice/hub/endorsements/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Endorsements waiting")
    _check(page, javascript=javascript)
    page.get_by_role("link", name=re.compile("^Sam Subjectlead")).click()
    expect(page.get_by_text("Twelve teachers from six schools.")).to_be_visible()
    _check(page, javascript=javascript)
    page.get_by_label("Yes, endorse it").check()
    page.get_by_role("button", name="Save endorsement").click()
    expect(page.get_by_text("You endorsed Sam Subjectlead.")).to_be_visible()
    _check(page, javascript=javascript)
    assert Endorsement.objects.get(application=application).decision == "endorsed"

    # National staff accept it
    sign_in(page, live_server, world["national"])
    page.goto(f"{live_server.url}/backoffice/hub/applications/{application.pk}/")
    expect(page.get_by_text("Endorsed by West Yorkshire Maths Hub")).to_be_visible()
    _check(page, javascript=javascript)
    page.get_by_label("Accept: give a place").check()
    page.get_by_role("button", name="Save decision").click()
    expect(page.get_by_text("Sam Subjectlead accepted.")).to_be_visible()
    _check(page, javascript=javascript)
    application.refresh_from_db()
    assert application.state == State.ACCEPTED
