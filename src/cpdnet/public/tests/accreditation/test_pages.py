"""The candidate's accreditation pages and the public register: each person reaches only their
own candidacy, refusals re-render with the reason and change nothing, autosave answers htmx with
"Saved at", and the register's queries do not grow with its rows."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cpdnet.accreditation import services
from cpdnet.accreditation.models import (
    SECTION_KEYS,
    Accreditation,
    CandidacyState,
    EvidenceDraft,
    EvidenceFile,
)
from cpdnet.accreditation.tests.conftest import not_accredited
from tests.factories import TeacherFactory

from ..conftest import count_queries

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def as_candidate(client, candidate):
    client.force_login(candidate)
    return client


def _url(candidacy, tail=""):
    return f"/my/accreditation/{candidacy.pk}/{tail}"


def test_the_candidate_sees_every_section_of_their_document(as_candidate, candidacy):
    response = as_candidate.get(_url(candidacy))

    assert response.status_code == 200
    for heading in ("Rationale for the professional development", "Principles of maths CPD"):
        assert heading in response.content.decode()
    assert "Not started" in response.content.decode()


def test_another_persons_candidacy_is_not_found(client, candidacy):
    client.force_login(TeacherFactory())

    assert client.get(_url(candidacy)).status_code == 404
    assert client.get(_url(candidacy, "sections/rationale/")).status_code == 404
    response = client.post(_url(candidacy, "sections/rationale/"), {"text": "Mine now"})
    assert response.status_code == 404
    assert not EvidenceDraft.objects.exists()


def test_saving_a_section_without_javascript_redirects_to_the_document(as_candidate, candidacy):
    response = as_candidate.post(_url(candidacy, "sections/rationale/"), {"text": "Why it matters"})

    assert response.status_code == 302
    assert response["Location"].endswith("#section-rationale")
    assert EvidenceDraft.objects.get(section="rationale").text == "Why it matters"


def test_autosave_answers_htmx_with_the_time_it_saved(as_candidate, candidacy):
    response = as_candidate.post(
        _url(candidacy, "sections/evaluation/"), {"text": "Draft words"}, HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 200
    saved = timezone.localtime().strftime("%H:")
    assert response.content.decode().startswith(f"Saved at {saved}")
    assert EvidenceDraft.objects.get(section="evaluation").text == "Draft words"


def test_the_section_page_carries_autosave_and_the_word_guidance(as_candidate, candidacy):
    page = as_candidate.get(_url(candidacy, "sections/knowledge/")).content.decode()

    assert 'hx-trigger="input changed delay:1500ms"' in page
    assert 'data-maxwords="1000"' in page
    assert 'aria-live="polite"' in page


def test_an_unknown_section_is_not_found(as_candidate, candidacy):
    assert as_candidate.get(_url(candidacy, "sections/nonsense/")).status_code == 404


def test_a_file_of_the_wrong_type_is_refused_with_the_reason(as_candidate, candidacy):
    upload = SimpleUploadedFile("slides.pdf", b"not really a pdf")

    response = as_candidate.post(_url(candidacy, "files/new/"), {"title": "Slides", "file": upload})

    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert "content is not what its name says" in response.content.decode()
    assert not EvidenceFile.objects.exists()


def test_a_file_is_attached_and_removed(as_candidate, candidacy):
    upload = SimpleUploadedFile("slides.pdf", PDF)
    response = as_candidate.post(
        _url(candidacy, "files/new/"),
        {"title": "Session 2 slides", "section": "design_principles", "file": upload},
    )
    assert response.status_code == 302
    evidence_file = EvidenceFile.objects.get()
    assert "Session 2 slides" in as_candidate.get(_url(candidacy)).content.decode()

    response = as_candidate.post(_url(candidacy, f"files/{evidence_file.pk}/remove/"))

    assert response.status_code == 302
    evidence_file.refresh_from_db()
    assert evidence_file.removed_at is not None


def test_submitting_with_empty_sections_is_refused_and_changes_nothing(as_candidate, candidacy):
    services.save_draft(candidacy, section="rationale", text="Some words", by=candidacy.candidate)

    response = as_candidate.post(_url(candidacy, "check/"))

    assert response.status_code == 400
    assert "Write every section before you submit" in response.content.decode()
    candidacy.refresh_from_db()
    assert candidacy.state == CandidacyState.DRAFTING
    assert not candidacy.versions.exists()


def test_check_your_answers_then_submit_freezes_the_document(as_candidate, candidacy):
    for key in SECTION_KEYS:
        services.save_draft(candidacy, section=key, text=f"{key} words", by=candidacy.candidate)
    check = as_candidate.get(_url(candidacy, "check/"))
    assert "Check your answers before submitting" in check.content.decode()

    response = as_candidate.post(_url(candidacy, "check/"))

    assert response.status_code == 302
    candidacy.refresh_from_db()
    assert candidacy.state == CandidacyState.SUBMITTED
    section = as_candidate.get(_url(candidacy, "sections/rationale/")).content.decode()
    assert "cannot be changed" in section
    assert "hx-post" not in section
    late = as_candidate.post(
        _url(candidacy, "sections/rationale/"), {"text": "Changed"}, HTTP_HX_REQUEST="true"
    )
    assert late.content.decode().startswith("Not saved:")
    assert EvidenceDraft.objects.get(section="rationale").text == "rationale words"
    version = as_candidate.get(_url(candidacy, "versions/1/")).content.decode()
    assert "rationale words" in version


def test_joining_the_pg_cert_route_records_the_fee(as_candidate, candidacy, settings):
    page = as_candidate.get(_url(candidacy, "pg-cert/")).content.decode()
    assert f"£{settings.ACCREDITATION_PG_CERT_FEE}" in page

    response = as_candidate.post(_url(candidacy, "pg-cert/"))

    assert response.status_code == 302
    candidacy.refresh_from_db()
    assert candidacy.pg_cert_opted_in_at is not None
    assert str(candidacy.pg_cert_fee) == settings.ACCREDITATION_PG_CERT_FEE


def test_joining_the_pg_cert_route_twice_is_refused_with_the_reason(as_candidate, candidacy):
    services.opt_into_pg_cert(candidacy, by=candidacy.candidate)

    response = as_candidate.post(_url(candidacy, "pg-cert/"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "<title>Error: PG Cert route" in page
    assert "There is a problem" in page
    assert "You have already joined the PG Cert route." in page


def test_after_submitting_a_section_or_a_file_cannot_change(as_candidate, submitted):
    candidacy = submitted.candidacy
    evidence_file = EvidenceFile.objects.create(
        candidacy=candidacy, title="Slides", section="rationale"
    )

    saved = as_candidate.post(_url(candidacy, "sections/rationale/"), {"text": "Changed"})
    removed = as_candidate.post(_url(candidacy, f"files/{evidence_file.pk}/remove/"), follow=True)

    assert saved.status_code == 200
    assert "There is a problem" in saved.content.decode()
    assert "The evidence can only be changed while you are writing it" in saved.content.decode()
    assert "The evidence can only be changed while you are writing it" in removed.content.decode()
    evidence_file.refresh_from_db()
    assert evidence_file.removed_at is None
    assert EvidenceDraft.objects.get(section="rationale").text == "My rationale in words."


def _accredit(holder, *, hub, listed: bool, code: str, name: str = ""):
    if name:
        holder.full_name = name
        holder.save()
    today = timezone.localdate()
    return Accreditation.objects.create(
        holder=holder,
        phase="secondary",
        hub=hub,
        code=code,
        accredited_on=today,
        valid_until=today + datetime.timedelta(days=3 * 365),
        on_public_register=listed,
    )


def test_the_public_register_lists_only_those_who_opted_in(client, leeds_hub):
    _accredit(TeacherFactory(), hub=leeds_hub, listed=True, code="PDL-AAAA", name="Listed Lead")
    _accredit(TeacherFactory(), hub=leeds_hub, listed=False, code="PDL-BBBB", name="Hidden Lead")

    page = client.get("/accreditation/register/").content.decode()

    assert "Listed Lead" in page
    assert "Hidden Lead" not in page
    filtered = client.get("/accreditation/register/?phase=primary").content.decode()
    assert "Listed Lead" not in filtered


def test_the_public_register_costs_the_same_queries_with_more_rows(client, leeds_hub):
    _accredit(TeacherFactory(), hub=leeds_hub, listed=True, code="PDL-0000")
    few = count_queries(client, "/accreditation/register/")
    for n in range(1, 30):
        _accredit(TeacherFactory(), hub=leeds_hub, listed=True, code=f"PDL-{n:04d}")

    assert count_queries(client, "/accreditation/register/") == few


def test_a_lead_opts_into_the_public_register(as_candidate, candidate, leeds_hub, client):
    accreditation = _accredit(candidate, hub=leeds_hub, listed=False, code="PDL-CCCC")

    response = as_candidate.post(
        f"/my/accreditation/awards/{accreditation.pk}/register/", {"listed": "yes"}
    )

    assert response.status_code == 302
    accreditation.refresh_from_db()
    assert accreditation.on_public_register
    assert "PDL-CCCC" in client.get("/accreditation/register/").content.decode()


def test_a_renewal_before_it_opens_is_refused_with_the_reason(as_candidate, candidate, leeds_hub):
    accreditation = _accredit(candidate, hub=leeds_hub, listed=False, code="PDL-DDDD")

    response = as_candidate.post(
        f"/my/accreditation/awards/{accreditation.pk}/renewal/", {"evidence": "I led PD"}
    )

    assert response.status_code == 200
    assert "Renewal opens on" in response.content.decode()
    assert not accreditation.renewals.exists()


def test_another_persons_accreditation_is_not_found(client, candidate, leeds_hub):
    accreditation = _accredit(candidate, hub=leeds_hub, listed=False, code="PDL-EEEE")
    client.force_login(TeacherFactory())

    response = client.post(
        f"/my/accreditation/awards/{accreditation.pk}/register/", {"listed": "yes"}
    )

    assert response.status_code == 404
    accreditation.refresh_from_db()
    assert not accreditation.on_public_register


def test_the_candidates_home_shows_their_evidence_and_when_it_is_due(
    as_candidate, candidacy, national
):
    due = timezone.now() + datetime.timedelta(days=30)
    services.set_cohort_deadline(
        candidacy.application.offering, submit_by=due, resubmission_window_days=42, by=national
    )

    page = as_candidate.get("/my/").content.decode()

    assert "Accreditation Evidence Document" in page
    assert f"due by {timezone.localtime(due):%A %-d %B %Y}" in page
    assert "Writing evidence" in page


def test_an_assessors_home_shows_what_is_waiting_to_be_marked(
    client, submitted, assessor, national
):
    services.assign_assessor(submitted, assessor, by=national)
    client.force_login(assessor)

    page = client.get("/my/").content.decode()

    assert "Evidence to mark" in page
    assert "Cara Candidate" in page


def _mark(assessment, recommendation: str, *, met: bool, note: str):
    marks = {key: (met, f"{note} {key}") for key in SECTION_KEYS}
    services.save_marks(assessment, marks=marks, by=assessment.assessor)
    services.recommend(
        assessment, recommendation=recommendation, summary=f"{note} summary", by=assessment.assessor
    )


def _ratified(submitted, assessor, moderator, national, recommendation: str):
    first = services.assign_assessor(submitted, assessor, by=national)
    _mark(first, recommendation, met=False, note="Assessor-note")
    moderation = services.assign_assessor(submitted, moderator, role="moderation", by=national)
    _mark(moderation, recommendation, met=False, note="Moderator-note")
    candidacy = submitted.candidacy
    services.ratify(candidacy, by=national)
    candidacy.refresh_from_db()
    return candidacy


def test_after_ratification_the_feedback_shows_and_one_resubmission_is_made(
    as_candidate, submitted, assessor, moderator, national
):
    before = as_candidate.get(_url(submitted.candidacy)).content.decode()
    assert "Assessor-note" not in before

    candidacy = _ratified(submitted, assessor, moderator, national, "resubmit")
    assert candidacy.state == CandidacyState.RESUBMISSION
    page = as_candidate.get(_url(candidacy)).content.decode()

    assert "Feedback from your assessors" in page
    assert "Assessor-note rationale" in page
    assert "submit it once more" in page
    as_candidate.post(_url(candidacy, "sections/rationale/"), {"text": "Rewritten rationale"})
    assert as_candidate.post(_url(candidacy, "check/")).status_code == 302
    candidacy.refresh_from_db()
    assert candidacy.versions.count() == 2
    assert candidacy.versions.get(number=2).sections["rationale"] == "Rewritten rationale"


def test_an_appeal_is_lodged_against_not_accredited(
    as_candidate, submitted, assessor, moderator, national
):
    candidacy = _ratified(submitted, assessor, moderator, national, "not_accredited")
    assert candidacy.state == CandidacyState.NOT_ACCREDITED
    assert "Appeal against the decision" in as_candidate.get(_url(candidacy)).content.decode()

    empty = as_candidate.post(_url(candidacy, "appeal/"), {"grounds": ""})
    assert "Write the grounds for your appeal" in empty.content.decode()
    assert not candidacy.appeals.exists()
    response = as_candidate.post(_url(candidacy, "appeal/"), {"grounds": "Section 3 was missed."})

    assert response.status_code == 302
    assert candidacy.appeals.get().grounds == "Section 3 was missed."


def test_the_pages_show_the_last_day_to_appeal(as_candidate, candidacy, settings):
    settings.ACCREDITATION_APPEAL_DAYS = 28
    not_accredited(candidacy, days_ago=28)
    today = f"{timezone.localdate():%-d %B %Y}"

    document = as_candidate.get(_url(candidacy)).content.decode()
    appeal = as_candidate.get(_url(candidacy, "appeal/")).content.decode()

    assert f"The last day to appeal is {today}." in document
    assert "Appeal against the decision</a>" in document
    assert f"The last day to appeal is {today}." in appeal
    assert "Lodge the appeal" in appeal


def test_after_the_last_day_the_pages_say_so_and_an_appeal_is_refused(
    as_candidate, candidacy, settings
):
    settings.ACCREDITATION_APPEAL_DAYS = 28
    not_accredited(candidacy, days_ago=29)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)

    document = as_candidate.get(_url(candidacy)).content.decode()
    appeal = as_candidate.get(_url(candidacy, "appeal/")).content.decode()
    refused = as_candidate.post(_url(candidacy, "appeal/"), {"grounds": "Section 3 was missed."})

    assert f"The time to appeal ended on {yesterday:%-d %B %Y}." in document
    assert "Appeal against the decision</a>" not in document
    assert "Lodge the appeal" not in appeal
    assert "There is a problem" in refused.content.decode()
    assert f"the last day was {yesterday:%-d %B %Y}." in refused.content.decode()
    assert not candidacy.appeals.exists()


def test_only_offerings_the_candidate_leads_can_be_cited(as_candidate, candidacy, candidate):
    from tests.factories import OfferingFactory

    theirs = OfferingFactory(facilitator=candidate)
    someone_elses = OfferingFactory()
    url = _url(candidacy, "offerings/")

    refused = as_candidate.post(url, {"offerings": [someone_elses.pk]})
    assert refused.status_code == 200
    assert "govuk-error-summary" in refused.content.decode()
    assert not candidacy.led_offerings.exists()
    assert as_candidate.post(url, {"offerings": [theirs.pk]}).status_code == 302
    assert list(candidacy.led_offerings.all()) == [theirs]
    assert "Sessions held" in as_candidate.get(_url(candidacy)).content.decode()
