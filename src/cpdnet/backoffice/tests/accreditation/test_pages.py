"""Accreditation in the back office: assessors reach only their own assignments, a moderator
marks blind, national staff assign (refusals shown with the reason, nothing changed), ratify and
export; hub staff see their hub's candidates; list pages cost the same queries with more rows."""

import datetime
from html import unescape

import pytest
from django.utils import timezone

from cpdnet.accreditation import services
from cpdnet.accreditation.models import (
    Accreditation,
    Assessment,
    AssessmentRole,
    CandidacyState,
    SectionMark,
)
from cpdnet.accreditation.tests.conftest import all_met, write_every_section
from tests.factories import (
    ApplicationFactory,
    HubFactory,
    RoleAssignmentFactory,
    TeacherFactory,
)

from ..helpers import count_queries

BASE = "/backoffice/accreditation"


@pytest.fixture
def assessment(submitted, assessor, national):
    return services.assign_assessor(submitted, assessor, by=national)


def _marking_data(met: str = "met") -> dict:
    data = {}
    for key in ("rationale", "design_principles", "evaluation", "knowledge"):
        data[f"met_{key}"] = met
        data[f"feedback_{key}"] = f"Feedback on {key}"
    return data


def test_an_assessor_sees_only_their_own_assignments(client, assessment, make_assessor):
    other = make_assessor("other@example.org")
    client.force_login(other)

    assert "Nothing is assigned to you" in client.get(f"{BASE}/assignments/").content.decode()
    assert client.get(f"{BASE}/assignments/{assessment.pk}/").status_code == 404
    response = client.post(f"{BASE}/assignments/{assessment.pk}/", _marking_data())
    assert response.status_code == 404
    assert not SectionMark.objects.filter(assessment=assessment, met__isnull=False).exists()


def test_a_teacher_may_not_open_the_marking_pages(client, assessment):
    client.force_login(TeacherFactory())

    assert client.get(f"{BASE}/assignments/").status_code == 403
    assert client.get(f"{BASE}/submissions/").status_code == 403


def test_the_assessor_marks_every_section_and_recommends(client, assessment, assessor):
    client.force_login(assessor)
    page = client.get(f"{BASE}/assignments/{assessment.pk}/").content.decode()
    assert "My rationale in words." in page

    assert client.post(f"{BASE}/assignments/{assessment.pk}/", _marking_data()).status_code == 302
    response = client.post(
        f"{BASE}/assignments/{assessment.pk}/recommend/",
        {"recommendation": "accredit", "summary": "Strong evidence throughout."},
    )

    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.recommendation == "accredit"
    assert assessment.completed_at is not None


def test_recommending_before_marking_is_refused_and_changes_nothing(client, assessment, assessor):
    client.force_login(assessor)

    response = client.post(
        f"{BASE}/assignments/{assessment.pk}/recommend/",
        {"recommendation": "accredit", "summary": "Looks fine."},
    )

    assert response.status_code == 200
    assert "Mark every section before recommending" in response.content.decode()
    assessment.refresh_from_db()
    assert assessment.completed_at is None
    assert assessment.recommendation == ""


def test_the_assignment_list_costs_the_same_queries_with_more_rows(
    client, cohort, assessor, national
):
    def another_submission(n: int):
        teacher = TeacherFactory(email=f"cand{n}@example.org")
        application = ApplicationFactory(offering=cohort, applicant=teacher, state="accepted")
        candidacy = services.open_candidacy(application)
        write_every_section(candidacy, teacher)
        version = services.submit_evidence(candidacy, by=teacher)
        services.assign_assessor(version, assessor, by=national)

    another_submission(0)
    client.force_login(assessor)
    few = count_queries(client, f"{BASE}/assignments/")
    for n in range(1, 8):
        another_submission(n)

    assert count_queries(client, f"{BASE}/assignments/") == few


def test_an_assessor_from_the_candidates_hub_is_refused_on_the_page(
    client, submitted, national, make_assessor, leeds_hub
):
    local = make_assessor("local@example.org")
    RoleAssignmentFactory(user=local, role="hub_staff", hub=leeds_hub)
    client.force_login(national)

    response = client.post(
        f"{BASE}/submissions/{submitted.candidacy_id}/assign/",
        {"assessor": local.pk, "role": AssessmentRole.FIRST},
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "govuk-error-summary" in page
    assert "belongs to the candidate&#x27;s hub" in page or "candidate's hub" in page
    assert not Assessment.objects.exists()


def test_national_staff_assign_an_assessor(client, submitted, national, assessor):
    client.force_login(national)

    response = client.post(
        f"{BASE}/submissions/{submitted.candidacy_id}/assign/",
        {"assessor": assessor.pk, "role": AssessmentRole.FIRST},
    )

    assert response.status_code == 302
    assert Assessment.objects.get().assessor == assessor


def test_hub_staff_see_their_hubs_candidates_only(client, submitted, leeds_hub, cohort):
    hub_staff = RoleAssignmentFactory(role="hub_staff", hub=leeds_hub).user
    stranger = RoleAssignmentFactory(role="hub_staff", hub=HubFactory(slug="elsewhere")).user

    client.force_login(hub_staff)
    assert "Cara Candidate" in client.get(f"{BASE}/submissions/").content.decode()
    assert client.get(f"{BASE}/submissions/{submitted.candidacy_id}/").status_code == 200
    assert client.get(f"{BASE}/awarding/").status_code == 403

    client.force_login(stranger)
    assert "Cara Candidate" not in client.get(f"{BASE}/submissions/").content.decode()
    assert client.get(f"{BASE}/submissions/{submitted.candidacy_id}/").status_code == 404


def test_the_submissions_list_costs_the_same_queries_with_more_rows(client, cohort, national):
    def candidate_row(n: int):
        teacher = TeacherFactory(email=f"row{n}@example.org")
        services.open_candidacy(
            ApplicationFactory(offering=cohort, applicant=teacher, state="accepted")
        )

    candidate_row(0)
    client.force_login(national)
    few = count_queries(client, f"{BASE}/submissions/")
    for n in range(1, 10):
        candidate_row(n)

    assert count_queries(client, f"{BASE}/submissions/") == few


def _recommend(assessment, recommendation: str, met: bool = True, note: str = "Note"):
    marks = {key: (met, f"{note} {key}") for key in all_met()}
    services.save_marks(assessment, marks=marks, by=assessment.assessor)
    services.recommend(
        assessment, recommendation=recommendation, summary="Summary", by=assessment.assessor
    )


def test_a_moderator_marks_blind_until_moderation_is_complete(
    client, assessment, national, moderator
):
    # Every recommendation but accredit is moderated.
    _recommend(assessment, "resubmit", met=False, note="First-marker-note")
    version = assessment.version
    moderation = services.assign_assessor(
        version, moderator, role=AssessmentRole.MODERATION, by=national
    )
    client.force_login(moderator)

    page = client.get(f"{BASE}/assignments/{moderation.pk}/").content.decode()
    assert "The first marking" not in page
    assert "First-marker-note" not in page

    _recommend(moderation, "resubmit", met=False)
    page = client.get(f"{BASE}/assignments/{moderation.pk}/").content.decode()
    assert "The first marking" in page
    assert "First-marker-note rationale" in page


def test_national_staff_ratify_and_the_lead_is_accredited(client, assessment, national, settings):
    settings.ACCREDITATION_MODERATION_SHARE = 0  # no sampling: straight to awarding
    _recommend(assessment, "accredit")
    candidacy = assessment.version.candidacy
    candidacy.refresh_from_db()
    assert candidacy.state == CandidacyState.AWAITING_RATIFICATION
    client.force_login(national)
    assert candidacy.candidate.full_name in client.get(f"{BASE}/awarding/").content.decode()

    response = client.post(f"{BASE}/submissions/{candidacy.pk}/ratify/", follow=True)

    accreditation = Accreditation.objects.get()
    assert accreditation.code in response.content.decode()
    register = client.get(f"{BASE}/register/").content.decode()
    assert accreditation.code in register
    assert "Not listed" in register


def test_ratifying_twice_is_refused_with_the_reason(client, candidacy, national):
    client.force_login(national)

    response = client.post(f"{BASE}/submissions/{candidacy.pk}/ratify/", follow=True)

    assert "Only an outcome waiting for the awarding decision" in response.content.decode()
    assert not Accreditation.objects.exists()


def test_the_pg_cert_export_streams_its_candidates(client, candidacy, national):
    services.opt_into_pg_cert(candidacy, by=candidacy.candidate)
    client.force_login(national)

    response = client.get(f"{BASE}/pg-cert.csv")

    assert response.status_code == 200
    assert response.streaming
    body = b"".join(response.streaming_content).decode()
    assert "candidate@example.org" in body


def test_national_pages_render(client, submitted, national, cohort):
    client.force_login(national)

    for path in (
        "/",
        "/workload/",
        "/deadlines/",
        f"/deadlines/{cohort.pk}/",
        "/moderation/",
        "/awarding/",
        "/appeals/",
        "/renewals/",
        "/register/",
        f"/submissions/{submitted.candidacy_id}/",
        "/submissions/?state=submitted&phase=secondary",
    ):
        assert client.get(BASE + path).status_code == 200, path


def test_a_deadline_is_set_for_a_cohort(client, national, cohort):
    client.force_login(national)

    response = client.post(
        f"{BASE}/deadlines/{cohort.pk}/",
        {"submit_by": "2030-03-31T17:00", "resubmission_window_days": "42"},
    )

    assert response.status_code == 302
    assert cohort.accreditation_deadline.resubmission_window_days == 42


def test_a_disagreement_is_decided_in_moderation(client, assessment, national, moderator):
    _recommend(assessment, "resubmit", met=False)
    version = assessment.version
    moderation = services.assign_assessor(
        version, moderator, role=AssessmentRole.MODERATION, by=national
    )
    _recommend(moderation, "accredit", met=True)
    candidacy = version.candidacy
    client.force_login(national)
    assert "Marks disagree" in client.get(f"{BASE}/moderation/").content.decode()
    url = f"{BASE}/submissions/{candidacy.pk}/moderation/"
    page = client.get(url).content.decode()
    assert "Rationale for the professional development you lead: not yet met" in page

    missing = client.post(url, {"recommendation": "accredit"})
    assert "Give the reason for the decision" in missing.content.decode()
    candidacy.refresh_from_db()
    assert candidacy.state == CandidacyState.MODERATING

    response = client.post(url, {"recommendation": "accredit", "reason": "Evidence is met."})

    assert response.status_code == 302
    candidacy.refresh_from_db()
    assert candidacy.state == CandidacyState.AWAITING_RATIFICATION


def test_the_full_register_costs_the_same_queries_with_more_rows(client, national, leeds_hub):
    def lead(n: int):
        today = timezone.localdate()
        Accreditation.objects.create(
            holder=TeacherFactory(email=f"lead{n}@example.org"),
            phase="primary",
            hub=leeds_hub,
            code=f"PDL-{n:04d}",
            accredited_on=today,
            valid_until=today + datetime.timedelta(days=1000),
        )

    lead(0)
    client.force_login(national)
    few = count_queries(client, f"{BASE}/register/")
    for n in range(1, 12):
        lead(n)

    assert count_queries(client, f"{BASE}/register/") == few


def test_hub_staff_see_only_their_hubs_leads_on_the_full_register(client, leeds_hub):
    today = timezone.localdate()
    for code, hub in (("PDL-LEED", leeds_hub), ("PDL-ELSE", HubFactory(slug="else"))):
        Accreditation.objects.create(
            holder=TeacherFactory(),
            phase="primary",
            hub=hub,
            code=code,
            accredited_on=today,
            valid_until=today + datetime.timedelta(days=1000),
        )
    client.force_login(RoleAssignmentFactory(role="hub_staff", hub=leeds_hub).user)

    page = client.get(f"{BASE}/register/").content.decode()

    assert "PDL-LEED" in page
    assert "PDL-ELSE" not in page


def test_an_extension_in_the_past_is_refused_and_a_future_one_granted(client, candidacy, national):
    client.force_login(national)
    url = f"{BASE}/submissions/{candidacy.pk}/extension/"

    refused = client.post(url, {"until": "2001-01-01T17:00", "reason": "Illness"})

    assert refused.status_code == 400
    assert "An extension must end in the future." in refused.content.decode()
    candidacy.refresh_from_db()
    assert candidacy.extended_to is None
    granted = client.post(url, {"until": "2099-01-01T17:00", "reason": "Illness"})
    assert granted.status_code == 302
    candidacy.refresh_from_db()
    assert candidacy.extended_to.year == 2099
    assert candidacy.extension_reason == "Illness"


def test_national_staff_review_a_renewal_and_decide_an_appeal(client, national, candidacy):
    today = timezone.localdate()
    accreditation = Accreditation.objects.create(
        holder=TeacherFactory(),
        phase="primary",
        code="PDL-RENW",
        accredited_on=today - datetime.timedelta(days=1000),
        valid_until=today + datetime.timedelta(days=30),
    )
    renewal = services.request_renewal(
        accreditation, evidence="Led two Work Groups", offerings=[], by=accreditation.holder
    )
    client.force_login(national)

    returned = client.post(f"{BASE}/renewals/{renewal.pk}/", {"decision": "no", "reason": ""})
    assert "Give the reason" in returned.content.decode()
    renewed = client.post(f"{BASE}/renewals/{renewal.pk}/", {"decision": "yes", "reason": "Fine"})
    assert renewed.status_code == 302
    renewal.refresh_from_db()
    assert renewal.state == "renewed"

    appeal = candidacy.appeals.create(grounds="Missed evidence")
    decided = client.post(
        f"{BASE}/appeals/{appeal.pk}/", {"decision": "no", "reason": "The marking stands."}
    )
    assert decided.status_code == 302
    appeal.refresh_from_db()
    assert appeal.outcome == "dismissed"


def test_the_deadline_form_shows_the_saved_deadline_in_the_browsers_format(
    client, national, cohort
):
    client.force_login(national)
    client.post(
        f"{BASE}/deadlines/{cohort.pk}/",
        {"submit_by": "2030-03-31T17:00", "resubmission_window_days": "30"},
    )

    page = client.get(f"{BASE}/deadlines/{cohort.pk}/").content.decode()

    assert 'value="2030-03-31T17:00"' in page


def test_withdrawing_shows_a_missing_reason_and_a_refusal_as_messages(client, candidacy, national):
    client.force_login(national)
    url = f"{BASE}/submissions/{candidacy.pk}/withdraw/"

    missing = client.post(url, {"reason": ""}, follow=True).content.decode()
    assert "Give the reason for withdrawing" in missing
    candidacy.refresh_from_db()
    assert candidacy.state == CandidacyState.DRAFTING

    done = client.post(url, {"reason": "Left teaching"}, follow=True).content.decode()
    assert "Candidacy withdrawn." in done
    again = client.post(url, {"reason": "Left teaching"}, follow=True).content.decode()

    assert "A candidacy that is withdrawn cannot become withdrawn." in again
    assert candidacy.history.filter(to_state=CandidacyState.WITHDRAWN).count() == 1


def test_national_staff_confirm_and_unassign_an_assessor(client, assessment, national, assessor):
    client.force_login(national)
    candidacy_url = f"{BASE}/submissions/{assessment.version.candidacy_id}/"
    url = f"{candidacy_url}unassign/{assessment.pk}/"
    assert url in client.get(candidacy_url).content.decode()

    confirm = unescape(client.get(url).content.decode())
    assert f"Unassign {assessor.get_full_name() or assessor.email}?" in confirm
    assert "Reason for unassigning" in confirm
    missing = client.post(url, {"reason": ""})
    assert missing.status_code == 400
    assert "Give the reason for unassigning the assessor" in missing.content.decode()
    assert Assessment.objects.exists()

    response = client.post(url, {"reason": "Assessor is away"}, follow=True)

    page = response.content.decode()
    assert "is no longer assigned to this submission" in page
    assert "No assessor assigned yet." in page
    assert not Assessment.objects.exists()


def test_unassigning_after_marking_has_begun_shows_the_reason(client, assessment, national):
    services.save_marks(assessment, marks={"rationale": (True, "Clear")}, by=assessment.assessor)
    client.force_login(national)
    url = f"{BASE}/submissions/{assessment.version.candidacy_id}/unassign/{assessment.pk}/"

    response = client.post(url, {"reason": "Assessor is away"})

    assert response.status_code == 400
    page = response.content.decode()
    assert "govuk-error-summary" in page
    assert "The assessor has begun marking this submission" in page
    assert Assessment.objects.get() == assessment


def test_only_national_staff_reach_the_unassign_page(client, assessment, leeds_hub):
    url = f"{BASE}/submissions/{assessment.version.candidacy_id}/unassign/{assessment.pk}/"

    for person in (
        assessment.assessor,
        RoleAssignmentFactory(role="hub_staff", hub=leeds_hub).user,
    ):
        client.force_login(person)
        assert client.get(url).status_code == 403
        assert client.post(url, {"reason": "Mine now"}).status_code == 403
    assert Assessment.objects.get() == assessment
