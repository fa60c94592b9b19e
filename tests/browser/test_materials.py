"""Journeys of programme documents, the materials library and events beyond schools, in a real
browser with axe on every page: a teacher downloads a programme's information sheet on a
phone-sized screen, a runner reuses a library item, and a university lecturer registers for a
webinar without JavaScript."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import expect

from cpdnet.delivery.models import Resource
from cpdnet.delivery.services import MaterialDetails, add_programme_document, save_material
from cpdnet.delivery.uploads import check_upload
from cpdnet.events.models import Registration
from cpdnet.events.tests.factories import WebinarFactory
from cpdnet.hubs.services import ensure_networks
from tests.factories import (
    HubFactory,
    OfferingFactory,
    ProgrammeFactory,
    RoleAssignmentFactory,
    TeacherFactory,
    UserFactory,
)

from .conftest import assert_accessible_as_shown, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _pdf(name: str):
    return check_upload(SimpleUploadedFile(name, PDF))


def test_a_teacher_downloads_the_information_sheet_on_a_phone(page, live_server):
    maths = ensure_networks()["maths"]
    offering = OfferingFactory(
        hub=HubFactory(network=maths),
        programme=ProgrammeFactory(
            network=maths, title="Maths PD Lead Accreditation Programme", kind="accreditation"
        ),
    )
    add_programme_document(
        programme=offering.programme,
        by=None,
        kind="information_sheet",
        title="PD Lead programme: information sheet",
        upload=_pdf("pd-lead-information-sheet.pdf"),
    )
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server, TeacherFactory())

    page.goto(f"{live_server.url}/programmes/offerings/{offering.pk}/")
    expect(page.get_by_role("heading", name="Read before you apply")).to_be_visible()
    assert_accessible_as_shown(page, javascript=True)
    link = page.get_by_role("link", name="PD Lead programme: information sheet")
    expect(link).to_be_visible()
    expect(page.get_by_text("(PDF, 77 bytes)")).to_be_visible()
    with page.expect_download() as download:
        link.click()

    assert download.value.suggested_filename == "pd-lead-information-sheet.pdf"
    # Nothing on the page is wider than the phone's screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_a_runner_reuses_an_item_from_the_materials_library(page, live_server):
    maths = ensure_networks()["maths"]
    hub = HubFactory(network=maths)
    programme = ProgrammeFactory(network=maths, title="Secondary Mastery Work Group")
    facilitator = UserFactory(full_name="Fran Facilitator")
    RoleAssignmentFactory(user=facilitator, role="facilitator", hub=hub)
    offering = OfferingFactory(hub=hub, programme=programme, facilitator=facilitator)
    save_material(
        by=None,
        details=MaterialDetails(title="Bar models: planning guide", programmes=(programme,)),
        upload=_pdf("bar-models.pdf"),
    )
    save_material(
        by=None,
        details=MaterialDetails(title="Five big ideas", url="https://www.example.org/five"),
    )
    sign_in(page, live_server, facilitator)

    page.goto(f"{live_server.url}/backoffice/offerings/{offering.pk}/resources/")
    expect(
        page.get_by_role("heading", name="Reuse an item from the materials library")
    ).to_be_visible()
    assert_accessible_as_shown(page, javascript=True)
    page.get_by_role("button", name="Add from the library").click()
    expect(page.get_by_role("alert")).to_contain_text("Choose a material from the library")
    assert_accessible_as_shown(page, javascript=True)
    page.get_by_label("Library material").select_option(
        label="Bar models: planning guide (for this programme)"
    )
    page.get_by_role("button", name="Add from the library").click()

    expect(page.get_by_text("Added from the library: Bar models: planning guide")).to_be_visible()
    expect(page.get_by_role("table")).to_contain_text("Bar models: planning guide")
    expect(page.get_by_role("table")).to_contain_text("From the library")
    assert_accessible_as_shown(page, javascript=True)
    resource = Resource.objects.get()
    assert resource.material.title == "Bar models: planning guide"
    assert resource.stored_name == ""


def test_a_university_lecturer_registers_for_a_webinar_without_javascript(
    page_without_javascript, live_server
):
    page = page_without_javascript
    webinar = WebinarFactory(
        programme__title="Webinar: reasoning in the classroom",
        open_to_organisations="school,college,university,itt_provider,industry,policy,other",
    )

    page.goto(f"{live_server.url}/events/{webinar.pk}/register/")
    assert_accessible_as_shown(page, javascript=False)
    page.get_by_label("Full name").fill("Dr Priya Raman")
    page.get_by_label("Email address").fill("p.raman@leeds.example.ac.uk")
    page.get_by_label("Class or subject teacher").check()
    page.get_by_label("University", exact=True).check()
    page.get_by_role("button", name="Register").click()

    # The organisation's name is needed when not from a school
    expect(page.get_by_role("alert")).to_contain_text("Enter the name of your organisation")
    assert_accessible_as_shown(page, javascript=False)
    page.get_by_label("Name of your organisation").fill("University of Leeds")
    page.get_by_role("button", name="Register").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("You are registered")
    assert_accessible_as_shown(page, javascript=False)
    registration = Registration.objects.get()
    assert (registration.organisation_kind, registration.organisation_name) == (
        "university",
        "University of Leeds",
    )
    assert registration.school is None


def test_national_staff_publish_a_document_and_add_to_the_library(page, live_server, tmp_path):
    maths = ensure_networks()["maths"]
    programme = ProgrammeFactory(network=maths, title="Maths PD Lead Accreditation Programme")
    national = UserFactory(full_name="Nadia National")
    RoleAssignmentFactory(user=national, role="national_staff")
    wrong = tmp_path / "criteria.pdf"
    wrong.write_bytes(b"\x7fELF" + b"\x00" * 100)
    right = tmp_path / "criteria-2026.pdf"
    right.write_bytes(PDF)
    sign_in(page, live_server, national)

    # A document: a file that is not what its name says is refused, then the right one kept
    page.goto(f"{live_server.url}/backoffice/programmes/{programme.pk}/documents/")
    assert_accessible_as_shown(page, javascript=True)
    page.get_by_label("Assessment criteria").check()
    page.get_by_label("Title").fill("PD Lead accreditation: assessment criteria")
    page.get_by_label("File").set_input_files(str(wrong))
    page.get_by_role("button", name="Add the document").click()
    expect(page.get_by_role("alert")).to_contain_text("not what its name says")
    assert_accessible_as_shown(page, javascript=True)
    page.get_by_label("Assessment criteria").check()
    page.get_by_label("File").set_input_files(str(right))
    page.get_by_role("button", name="Add the document").click()
    expect(page.get_by_text("Document added")).to_be_visible()
    assert_accessible_as_shown(page, javascript=True)

    # The library: a link tagged with the programme
    page.goto(f"{live_server.url}/backoffice/materials/")
    assert_accessible_as_shown(page, javascript=True)
    page.get_by_label("Title").fill("Five big ideas")
    page.get_by_label("Programmes it is for").select_option(label=programme.title)
    page.get_by_label("Link").fill("https://www.example.org/five")
    page.get_by_role("button", name="Add to the library").click()
    expect(page.get_by_text("Added to the library: Five big ideas")).to_be_visible()
    assert_accessible_as_shown(page, javascript=True)
    page.get_by_role("link", name="Five big ideas").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Five big ideas")
    assert_accessible_as_shown(page, javascript=True)
