"""Reads are scoped to the person and run a fixed number of queries however many rows."""

import datetime

import pytest
from django.http import Http404
from django.utils import timezone

from cpdnet.accreditation import selectors, services
from cpdnet.accreditation.models import Accreditation, AssessmentRole
from cpdnet.delivery.models import Attendance
from cpdnet.evaluation.models import SessionFeedback
from tests.factories import (
    ApplicationFactory,
    HubFactory,
    OfferingFactory,
    RoleAssignmentFactory,
    SessionFactory,
    TeacherFactory,
    UserFactory,
)

from .conftest import all_met, write_every_section

pytestmark = pytest.mark.django_db


def _accredit(n: int, *, hub, listed=True, phase="secondary", **extra):
    today = timezone.localdate()
    return [
        Accreditation.objects.create(
            holder=UserFactory(full_name=f"Lead {i:03d}"),
            phase=phase,
            hub=hub,
            code=services.new_accreditation_code(),
            accredited_on=today,
            valid_until=today + datetime.timedelta(days=1000),
            on_public_register=listed,
            **extra,
        )
        for i in range(n)
    ]


def test_public_register_lists_only_the_opted_in_and_current(leeds_hub):
    listed = _accredit(2, hub=leeds_hub)
    _accredit(1, hub=leeds_hub, listed=False, phase="primary")
    lapsed = _accredit(1, hub=leeds_hub, phase="post_16")[0]
    lapsed.lapsed_at = timezone.now()
    lapsed.save()

    assert list(selectors.public_register()) == listed
    assert list(selectors.public_register(phase="primary")) == []
    assert list(selectors.public_register(hub="leeds", network="maths")) == listed
    assert list(selectors.public_register(hub="elsewhere")) == []


def test_full_register_is_for_national_and_the_hubs_staff(leeds_hub, national):
    mine = _accredit(2, hub=leeds_hub, listed=False)
    _accredit(2, hub=HubFactory(), listed=False)
    hub_staff = RoleAssignmentFactory(role="hub_staff", hub=leeds_hub).user

    assert selectors.full_register(national).count() == 4
    assert list(selectors.full_register(hub_staff)) == mine
    assert selectors.full_register(TeacherFactory()).count() == 0


def test_register_queries_do_not_grow_with_rows(leeds_hub, django_assert_num_queries):
    _accredit(3, hub=leeds_hub)

    def render():
        return [
            (a.holder.get_full_name(), a.hub.name, a.hub.network.name)
            for a in selectors.public_register()
        ]

    with django_assert_num_queries(1):
        render()
    _accredit(30, hub=HubFactory())
    with django_assert_num_queries(1):
        assert len(render()) == 33


def test_assessor_lists_are_flat_and_scoped(
    submitted, national, assessor, make_assessor, cohort, django_assert_num_queries
):
    services.assign_assessor(submitted, assessor, by=national)
    for i in range(5):
        application = ApplicationFactory(offering=cohort, state="accepted")
        other = services.open_candidacy(application)
        write_every_section(other, application.applicant)
        version = services.submit_evidence(other, by=application.applicant)
        services.assign_assessor(
            version, assessor if i % 2 else make_assessor(f"a{i}@x.org"), by=national
        )

    with django_assert_num_queries(1):
        rows = [
            (
                a.version.candidacy.candidate.email,
                a.version.candidacy.application.offering.programme.title,
            )
            for a in selectors.list_assignments(assessor)
        ]
    assert len(rows) == 3
    with django_assert_num_queries(1):
        workload = {u.email: u.open_assignments for u in selectors.assessor_workload()}
    assert workload["assessor@example.org"] == 3


def test_an_assessment_is_404_for_anyone_but_its_assessor(submitted, national, assessor, moderator):
    assessment = services.assign_assessor(submitted, assessor, by=national)

    assert selectors.get_assessment_for_assessor(assessor, assessment.pk).assessment == assessment
    with pytest.raises(Http404):
        selectors.get_assessment_for_assessor(moderator, assessment.pk)


def test_moderation_is_blind_until_both_markings_are_in(
    submitted, national, assessor, moderator, settings
):
    settings.ACCREDITATION_MODERATION_SHARE = 1.0
    first = services.assign_assessor(submitted, assessor, by=national)
    services.save_marks(first, marks=all_met(), by=assessor)
    services.recommend(first, recommendation="accredit", summary="Strong", by=assessor)
    second = services.assign_assessor(
        submitted, moderator, by=national, role=AssessmentRole.MODERATION
    )

    blind = selectors.get_assessment_for_assessor(moderator, second.pk)
    assert blind.other_marking is None and blind.other_marks == {}
    assert all(mark.met is None for mark in blind.marks.values())

    services.save_marks(second, marks=all_met(), by=moderator)
    services.recommend(second, recommendation="accredit", summary="Agree", by=moderator)
    seen = selectors.get_assessment_for_assessor(moderator, second.pk)
    assert seen.other_marking == first and seen.other_marks["rationale"].met is True


def test_candidacies_are_scoped_to_the_viewer(candidacy, candidate, leeds_hub, national):
    hub_staff = RoleAssignmentFactory(role="hub_staff", hub=leeds_hub).user
    other_hub_staff = RoleAssignmentFactory(role="hub_staff", hub=HubFactory()).user

    assert list(selectors.list_candidacies_for(national)) == [candidacy]
    assert list(selectors.list_candidacies_for(hub_staff, state="drafting")) == [candidacy]
    assert list(selectors.list_candidacies_for(other_hub_staff)) == []
    assert list(selectors.list_candidacies_for(candidate)) == []
    assert selectors.get_candidacy_for_candidate(candidate, candidacy.pk) == candidacy
    with pytest.raises(Http404):
        selectors.get_candidacy_for_candidate(hub_staff, candidacy.pk)


def test_the_evidence_document_counts_words_against_guidance(candidacy, candidate):
    services.save_draft(candidacy, section="rationale", text="one two three", by=candidate)
    sections = selectors.evidence_document(candidacy)
    assert [s.key for s in sections] == [
        "rationale",
        "design_principles",
        "evaluation",
        "knowledge",
    ]
    assert sections[0].word_count == 3 and sections[0].suggested_words == 1000
    assert sections[1].text == "" and not sections[0].is_over_guidance


def test_led_offerings_give_counts_and_no_names(candidacy, candidate):
    led = OfferingFactory(facilitator=candidate)
    past = timezone.now() - datetime.timedelta(days=3)
    held = SessionFactory(offering=led, starts_at=past, ends_at=past + datetime.timedelta(hours=2))
    SessionFactory(offering=led)  # still to come
    for rating in (4, 5):
        application = ApplicationFactory(offering=led, state="accepted")
        Attendance.objects.create(session=held, application=application, status="attended")
        SessionFeedback.objects.create(
            session=held, application=application, rating=rating, comment="Named comment"
        )
    services.link_offerings(candidacy, [led], by=candidate)

    [evidence] = selectors.evidence_from_led_offerings(candidacy)

    assert (evidence.sessions_held, evidence.attendances, evidence.participants) == (1, 2, 2)
    assert evidence.feedback_count == 2 and evidence.average_rating == 4.5


def test_verify_code_reads_any_spelling_and_says_lapsed(leeds_hub):
    [accreditation] = _accredit(1, hub=leeds_hub)
    typed = accreditation.code.lower().replace("-", " ")

    facts = selectors.verify_code(typed)
    assert facts.status == "valid" and facts.holder == "Lead 000"

    accreditation.valid_until = timezone.localdate() - datetime.timedelta(days=1)
    accreditation.save()
    assert selectors.verify_code(accreditation.code).status == "lapsed"
    assert selectors.verify_code("ABCD-EFGH-JKLM") is None
    assert selectors.verify_code("PDL-nonsense") is None


def test_pg_cert_export_lists_candidates_with_outcomes_and_fee(candidacy, candidate):
    candidate.full_name = "=HYPERLINK(evil)"
    candidate.save()
    services.opt_into_pg_cert(candidacy, by=candidate)

    lines = list(selectors.pg_cert_csv_lines(selectors.pg_cert_candidates()))

    assert lines[0].startswith("candidate_name,candidate_email,phase")
    assert lines[1].startswith("'=HYPERLINK(evil),candidate@example.org,Secondary")
    assert ",1250.00,Writing evidence,in progress,," in lines[1]


def test_the_candidate_sees_feedback_only_once_the_outcome_is_ratified(
    submitted, candidacy, national, assessor, moderator
):
    first = services.assign_assessor(submitted, assessor, by=national)
    services.save_marks(first, marks=all_met(False), by=assessor)
    services.recommend(first, recommendation="resubmit", summary="Say more", by=assessor)
    second = services.assign_assessor(
        submitted, moderator, by=national, role=AssessmentRole.MODERATION
    )
    services.save_marks(second, marks=all_met(False), by=moderator)
    services.recommend(second, recommendation="resubmit", summary="Agree", by=moderator)
    candidacy.refresh_from_db()
    assert selectors.feedback_for_candidate(candidacy) == []

    services.ratify(candidacy, by=national)
    candidacy.refresh_from_db()
    [shown] = selectors.feedback_for_candidate(candidacy)
    assert [a["summary"] for a in shown["assessments"]] == ["Say more", "Agree"]
    assert shown["assessments"][0]["marks"]["rationale"].feedback == "Feedback on rationale"
