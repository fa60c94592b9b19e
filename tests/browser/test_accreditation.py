"""PD Lead accreditation in a real browser, across roles: the candidate writes the evidence
document (autosaved as they type with JavaScript, saved by a button without it), attaches a
file and submits after checking the answers; national staff assign an assessor (a conflict is
refused with the reason, and one assigned and unassigned after a confirmation); the assessor
marks every section and recommends; a moderator marks blind; national staff ratify; the new PD
Lead joins the public register and the code checks on /certificates/. Every page passes
axe-core; one journey runs at phone width."""

import pytest
from playwright.sync_api import expect

from cpdnet.accreditation import services
from cpdnet.accreditation.models import EVIDENCE_SECTIONS, Accreditation, CandidacyState
from cpdnet.hubs.services import ensure_networks
from cpdnet.schools.services import load_local_authorities
from tests.factories import (
    ApplicationFactory,
    HubAreaFactory,
    HubFactory,
    OfferingFactory,
    RoleAssignmentFactory,
    SchoolFactory,
    TeacherFactory,
    UserFactory,
)

from .conftest import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}
HEADINGS = [heading for _key, heading, *_rest in EVIDENCE_SECTIONS]
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def world(transactional_db, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    load_local_authorities()  # transactional tests empty the tables the migration filled
    maths = ensure_networks()["maths"]
    leeds = HubFactory(network=maths, name="Leeds Maths Hub", slug="leeds")
    HubAreaFactory(hub=leeds, local_authority_id="383")
    cohort = OfferingFactory(
        hub=leeds,
        programme__network=maths,
        programme__kind="accreditation",
        programme__phase="secondary",
        programme__title="PD Lead Programme: secondary",
    )
    candidate = TeacherFactory(email="cara@school.example.org", full_name="Cara Candidate")
    application = ApplicationFactory(offering=cohort, applicant=candidate, state="accepted")
    candidacy = services.open_candidacy(application)

    def staff(email: str, name: str, role: str, **fields):
        user = UserFactory(email=email, full_name=name, **fields)
        RoleAssignmentFactory(
            user=user, role=role, **({"hub": leeds} if role == "hub_staff" else {})
        )
        return user

    elsewhere = SchoolFactory(la_code="926")
    local_assessor = staff("local@example.org", "Lou Local", "assessor")
    RoleAssignmentFactory(user=local_assessor, role="hub_staff", hub=leeds)
    return {
        "candidacy": candidacy,
        "candidate": candidate,
        "national": staff("nat@example.org", "Nat National", "national_staff"),
        "assessor": staff("ash@example.org", "Ash Assessor", "assessor", school=elsewhere),
        "moderator": staff("mo@example.org", "Mo Moderator", "moderator", school=elsewhere),
        "local_assessor": local_assessor,
    }


def _write_and_submit(page, tmp_path, *, javascript: bool) -> None:
    """From the evidence document: write every section, attach a file, check and submit."""
    for number, heading in enumerate(HEADINGS):
        page.get_by_role("link", name=heading).click()
        assert_accessible(page, javascript=javascript)
        page.get_by_label(heading).fill(f"Evidence for {heading.lower()}: what I did and why.")
        if javascript and number == 0:
            # Autosave: htmx posts after a pause in typing and says when it saved.
            expect(page.locator("#saved-status")).to_contain_text("Saved at")
            page.get_by_role("link", name="Back to your evidence document").click()
        else:
            page.get_by_role("button", name="Save", exact=True).click()
            expect(page.get_by_text("Saved at")).to_be_visible()

    page.get_by_role("link", name="Attach a file").click()
    page.get_by_label("What the file shows").fill("Session 2 slides")
    wrong = tmp_path / "notes.pdf"
    wrong.write_bytes(b"plain words, not a PDF")
    page.get_by_label("File", exact=True).set_input_files(str(wrong))
    page.get_by_role("button", name="Attach the file").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("content is not what its name")
    assert_accessible(page, javascript=javascript)
    slides = tmp_path / "slides.pdf"
    slides.write_bytes(PDF)
    page.get_by_label("File", exact=True).set_input_files(str(slides))
    page.get_by_role("button", name="Attach the file").click()
    expect(page.get_by_text("File attached: Session 2 slides")).to_be_visible()

    page.get_by_role("link", name="Check your answers and submit").click()
    expect(page.get_by_role("heading", name="Check your answers before submitting")).to_be_visible()
    assert_accessible(page, javascript=javascript)
    page.get_by_role("button", name="Submit your evidence").click()
    expect(page.get_by_text("Evidence submitted (version 1)")).to_be_visible()
    assert_accessible(page, javascript=javascript)


def _mark_and_recommend(page, *, summary: str) -> None:
    for heading in HEADINGS:
        group = page.get_by_role("group", name=f"Is this criterion met? {heading}")
        group.get_by_label("Met", exact=True).check()
        page.get_by_label(f"Feedback: {heading}").fill("Clear and well evidenced.")
    page.get_by_role("button", name="Save marks").click()
    expect(page.get_by_text("Marks saved.")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Accredit", exact=True).check()
    page.get_by_label("Summary for the candidate and the awarding panel").fill(summary)
    page.get_by_role("button", name="Make the recommendation").click()
    expect(page.get_by_text("Recommendation made.")).to_be_visible()


def _assign(page, user, *, role: str) -> None:
    page.get_by_label("Assessor", exact=True).select_option(
        label=f"{user.full_name} ({user.email})"
    )
    page.get_by_label(role).check()
    page.get_by_role("button", name="Assign", exact=True).click()


def test_the_whole_pipeline_from_evidence_to_the_register(
    page, live_server, world, tmp_path, settings
):
    settings.ACCREDITATION_MODERATION_SHARE = 1.0  # this submission is moderated
    candidacy = world["candidacy"]

    # The candidate writes and submits, with JavaScript (autosave).
    sign_in(page, live_server, world["candidate"])
    page.goto(f"{live_server.url}/my/")
    page.get_by_role("link", name="Accreditation Evidence Document").click()
    expect(page.get_by_text("Writing evidence")).to_be_visible()
    assert_accessible(page)
    _write_and_submit(page, tmp_path, javascript=True)

    # National staff assign an assessor; one from the candidate's hub is refused.
    sign_in(page, live_server, world["national"])
    page.goto(f"{live_server.url}/backoffice/accreditation/submissions/?state=submitted")
    assert_accessible(page)
    page.get_by_role("link", name="Cara Candidate").click()
    _assign(page, world["local_assessor"], role="First marking")
    expect(page.locator(".govuk-error-summary")).to_contain_text("the candidate's hub")
    assert_accessible(page)
    _assign(page, world["assessor"], role="First marking")
    expect(page.get_by_text("Assessor assigned.")).to_be_visible()
    # Unassigned before marking (a confirmation asks why), then assigned again.
    name = world["assessor"].full_name
    page.get_by_role("link", name=f"unassign {name} from first marking").click()
    expect(page.get_by_role("heading", name=f"Unassign {name}?")).to_be_visible()
    page.get_by_role("button", name="Yes, unassign them").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Give the reason for unassigning")
    assert_accessible(page)
    page.get_by_label("Reason for unassigning").fill("Assigned by mistake")
    page.get_by_role("button", name="Yes, unassign them").click()
    expect(page.get_by_text(f"{name} is no longer assigned to this submission.")).to_be_visible()
    _assign(page, world["assessor"], role="First marking")
    expect(page.get_by_text("Assessor assigned.")).to_be_visible()
    page.goto(f"{live_server.url}/backoffice/accreditation/workload/")
    assert_accessible(page)

    # The assessor marks every section and recommends.
    sign_in(page, live_server, world["assessor"])
    page.goto(f"{live_server.url}/my/")
    expect(page.get_by_role("heading", name="Evidence to mark")).to_be_visible()
    page.get_by_role("link", name="All your marking").click()
    assert_accessible(page)
    page.get_by_role("link", name="Cara Candidate").click()
    expect(page.get_by_text("what I did and why").first).to_be_visible()
    assert_accessible(page)
    _mark_and_recommend(page, summary="Strong evidence throughout: FIRST-SUMMARY")

    # National staff give it to a moderator, who marks blind.
    sign_in(page, live_server, world["national"])
    page.goto(f"{live_server.url}/backoffice/accreditation/moderation/")
    assert_accessible(page)
    page.get_by_role("link", name="Assign a moderator for Cara Candidate").click()
    _assign(page, world["moderator"], role="Moderation (blind second marking)")
    expect(page.get_by_text("Assessor assigned.")).to_be_visible()
    sign_in(page, live_server, world["moderator"])
    page.goto(f"{live_server.url}/backoffice/accreditation/assignments/")
    page.get_by_role("link", name="Cara Candidate").click()
    expect(page.get_by_text("FIRST-SUMMARY")).to_have_count(0)
    assert_accessible(page)
    _mark_and_recommend(page, summary="Agreed.")

    # National staff ratify in the awarding step.
    sign_in(page, live_server, world["national"])
    page.goto(f"{live_server.url}/backoffice/accreditation/awarding/")
    assert_accessible(page)
    page.get_by_role("button", name="Ratify the outcome for Cara Candidate").click()
    code = Accreditation.objects.get().code
    expect(page.get_by_text(f"Cara Candidate is accredited: {code}")).to_be_visible()
    candidacy.refresh_from_db()
    assert candidacy.state == CandidacyState.ACCREDITED

    # The new PD Lead opts into the public register, where anyone finds them.
    sign_in(page, live_server, world["candidate"])
    page.goto(f"{live_server.url}/my/accreditation/")
    assert_accessible(page)
    page.get_by_role("link", name="Change whether you are listed on the public register").click()
    page.get_by_label("Yes, list me").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("You are listed on the public register.")).to_be_visible()
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Register of accredited PD Leads").click()
    expect(page.get_by_role("cell", name="Cara Candidate")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name=code).click()
    expect(
        page.get_by_role("heading", name="This is a valid PD Lead accreditation")
    ).to_be_visible()
    assert_accessible(page)


def test_evidence_is_written_and_submitted_without_javascript_on_a_phone(
    page_without_javascript, live_server, world, tmp_path
):
    page = page_without_javascript
    page.set_viewport_size(PHONE)
    candidacy = world["candidacy"]
    sign_in(page, live_server, world["candidate"])
    page.goto(f"{live_server.url}/my/accreditation/{candidacy.pk}/")
    assert_accessible(page, javascript=False)

    _write_and_submit(page, tmp_path, javascript=False)

    candidacy.refresh_from_db()
    assert candidacy.state == CandidacyState.SUBMITTED
    page.get_by_role("link", name=HEADINGS[0]).click()
    expect(
        page.get_by_text("Your evidence has been submitted, so it cannot be changed.")
    ).to_be_visible()
    assert_accessible(page, javascript=False)
