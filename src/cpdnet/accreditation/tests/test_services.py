"""Every transition and refusal of the accreditation services. A refusal changes nothing."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cpdnet.accreditation import services
from cpdnet.accreditation.models import (
    SECTION_KEYS,
    Accreditation,
    AppealOutcome,
    Assessment,
    AssessmentRole,
    Candidacy,
    CandidacyState,
    Endorsement,
    EndorsementDecision,
    EvidenceDraft,
    Renewal,
    RenewalState,
    SectionMark,
)
from cpdnet.accreditation.services import AccreditationRefused
from cpdnet.applications.services import decide_application
from cpdnet.audit.models import AuditEntry
from cpdnet.delivery.uploads import check_upload
from tests.factories import ApplicationFactory, OfferingFactory, RoleAssignmentFactory

from .conftest import all_met, future, not_accredited, write_every_section

pytestmark = pytest.mark.django_db


def _states(candidacy):
    return [(t.from_state, t.to_state) for t in candidacy.history.all()]


# --- Opening ---------------------------------------------------------------------------------


def test_accepting_a_place_on_an_accreditation_programme_opens_one_candidacy(cohort, national):
    application = ApplicationFactory(offering=cohort, state="submitted")
    # A place on an accreditation programme needs the hub lead's endorsement (applying.py).
    Endorsement.objects.create(
        application=application, hub=cohort.hub, decision=EndorsementDecision.ENDORSED
    )

    decide_application(application=application, decision="accept", by=national)
    services.open_candidacy(application)  # again: nothing new

    candidacy = Candidacy.objects.get(application=application)
    assert candidacy.state == CandidacyState.DRAFTING
    assert candidacy.phase == "secondary"
    assert candidacy.hub == cohort.hub  # the hub serving the candidate's Leeds school
    assert Candidacy.objects.count() == 1


def test_other_programmes_open_no_candidacy(db):
    application = ApplicationFactory(state="accepted")
    assert services.open_candidacy(application) is None


# --- Drafting and submitting -------------------------------------------------------------------


def test_drafts_autosave_and_only_the_candidate_may_write(candidacy, candidate, national):
    services.save_draft(candidacy, section="rationale", text="First go", by=candidate)
    services.save_draft(candidacy, section="rationale", text="Second go", by=candidate)

    with pytest.raises(AccreditationRefused, match="Only the candidate"):
        services.save_draft(candidacy, section="rationale", text="Not mine", by=national)
    with pytest.raises(AccreditationRefused, match="no such section"):
        services.save_draft(candidacy, section="nonsense", text="x", by=candidate)

    assert EvidenceDraft.objects.get(candidacy=candidacy, section="rationale").text == "Second go"


def test_submitting_with_an_empty_section_is_refused(candidacy, candidate):
    services.save_draft(candidacy, section="rationale", text="Only this", by=candidate)

    with pytest.raises(AccreditationRefused, match="Still empty: design_principles"):
        services.submit_evidence(candidacy, by=candidate)

    assert candidacy.versions.count() == 0
    candidacy.refresh_from_db()
    assert candidacy.state == CandidacyState.DRAFTING


def test_submission_after_the_deadline_is_refused_and_an_extension_allows_it(
    candidacy, candidate, cohort, national
):
    write_every_section(candidacy, candidate)
    services.set_cohort_deadline(
        cohort, submit_by=future(-1), resubmission_window_days=30, by=national
    )

    with pytest.raises(AccreditationRefused, match="The deadline for this evidence was"):
        services.submit_evidence(candidacy, by=candidate)
    assert candidacy.versions.count() == 0

    with pytest.raises(AccreditationRefused, match="Only national staff"):
        services.grant_extension(candidacy, until=future(7), reason="Illness", by=candidate)
    services.grant_extension(candidacy, until=future(7), reason="Illness", by=national)
    version = services.submit_evidence(candidacy, by=candidate)

    assert version.number == 1 and version.late_by_extension
    assert AuditEntry.objects.filter(action="accreditation.candidacy.extension_granted").exists()


def test_a_submitted_version_is_frozen(submitted, candidacy, candidate):
    candidacy.refresh_from_db()
    assert candidacy.state == CandidacyState.SUBMITTED
    assert submitted.sections["rationale"] == "My rationale in words."

    with pytest.raises(ValueError, match="frozen"):
        submitted.sections = {"rationale": "changed"}
        submitted.save()
    with pytest.raises(AccreditationRefused, match="can only be changed while"):
        services.save_draft(candidacy, section="rationale", text="sneaky edit", by=candidate)
    with pytest.raises(AccreditationRefused, match="only be submitted while"):
        services.submit_evidence(candidacy, by=candidate)

    submitted.refresh_from_db()
    assert submitted.sections["rationale"] == "My rationale in words."
    assert [m.subject for m in mail.outbox] == ["We have your accreditation evidence"]


def test_files_are_frozen_with_the_version_and_removing_one_later_keeps_it_cited(
    candidacy, candidate, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    upload = check_upload(SimpleUploadedFile("plan.txt", b"Session plan", "text/plain"))
    kept = services.attach_file(candidacy, upload, title="Session plan", by=candidate)
    dropped = services.attach_file(candidacy, upload, title="Old plan", by=candidate)
    services.remove_file(dropped, by=candidate)
    write_every_section(candidacy, candidate)

    version = services.submit_evidence(candidacy, by=candidate)

    assert list(version.files.all()) == [kept]


def test_only_offerings_the_candidate_facilitates_can_be_cited(candidacy, candidate):
    theirs = OfferingFactory(facilitator=candidate)
    someone_elses = OfferingFactory()

    with pytest.raises(AccreditationRefused, match="only cite offerings you facilitate"):
        services.link_offerings(candidacy, [theirs, someone_elses], by=candidate)
    assert candidacy.led_offerings.count() == 0

    services.link_offerings(candidacy, [theirs], by=candidate)
    assert list(candidacy.led_offerings.all()) == [theirs]


# --- Assessing --------------------------------------------------------------------------------


def test_an_assessor_from_the_candidates_hub_is_refused_with_the_reason(
    submitted, national, leeds_hub, make_assessor
):
    same_hub = make_assessor("local@example.org")
    RoleAssignmentFactory(user=same_hub, role="hub_staff", hub=leeds_hub)

    with pytest.raises(AccreditationRefused, match="belongs to the candidate's hub"):
        services.assign_assessor(submitted, same_hub, by=national)
    assert submitted.assessments.count() == 0


def test_an_assessor_from_the_candidates_school_is_refused(
    submitted, national, candidate, make_assessor
):
    colleague = make_assessor("colleague@example.org", school=candidate.school)

    with pytest.raises(AccreditationRefused, match="works at the candidate's school"):
        services.assign_assessor(submitted, colleague, by=national)


def test_someone_without_the_assessor_role_is_refused(submitted, national, make_assessor):
    moderator_only = make_assessor("mod@example.org", role="moderator")
    with pytest.raises(AccreditationRefused, match="not an assessor"):
        services.assign_assessor(submitted, moderator_only, by=national)


def test_marking_someone_elses_assignment_is_refused(submitted, national, assessor, moderator):
    assessment = services.assign_assessor(submitted, assessor, by=national)

    with pytest.raises(AccreditationRefused, match="Only the assessor it is assigned to"):
        services.save_marks(assessment, marks={"rationale": (True, "")}, by=moderator)

    assert not SectionMark.objects.filter(assessment=assessment, met__isnull=False).exists()


def test_recommending_needs_every_section_marked_and_accredit_needs_all_met(
    submitted, national, assessor
):
    assessment = services.assign_assessor(submitted, assessor, by=national)
    services.save_marks(assessment, marks={"rationale": (True, "Clear")}, by=assessor)

    with pytest.raises(AccreditationRefused, match="Mark every section"):
        services.recommend(assessment, recommendation="accredit", summary="Good", by=assessor)

    marks = all_met()
    marks["knowledge"] = (False, "Not yet")
    services.save_marks(assessment, marks=marks, by=assessor)
    with pytest.raises(AccreditationRefused, match="needs every section met"):
        services.recommend(assessment, recommendation="accredit", summary="Good", by=assessor)


def test_national_staff_unassign_an_assessor_before_marking(
    submitted, candidacy, national, assessor, make_assessor
):
    assessment = services.assign_assessor(submitted, assessor, by=national)
    mail.outbox.clear()

    services.unassign_assessor(assessment, reason="Assessor is away", by=national)

    candidacy.refresh_from_db()
    assert candidacy.state == CandidacyState.SUBMITTED
    assert not Assessment.objects.exists()
    last = candidacy.history.last()
    assert (last.from_state, last.to_state) == ("assessing", "submitted")
    assert last.reason == "Assessor unassigned: Assessor is away"
    entry = AuditEntry.objects.get(action="accreditation.assessment.unassigned")
    assert entry.data == {"assessor": assessor.pk, "role": "first", "reason": "Assessor is away"}
    # The assessor is told; the candidate is not told their evidence arrived again.
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["assessor@example.org"], "Accreditation evidence no longer yours to assess")
    ]
    assert "first marking" in mail.outbox[0].body
    # A mark saved from a page opened before is refused in words
    with pytest.raises(AccreditationRefused, match="no longer assigned to you"):
        services.save_marks(assessment, marks={"rationale": (True, "")}, by=assessor)
    # And another assessor can take it
    services.assign_assessor(submitted, make_assessor("second@example.org"), by=national)
    candidacy.refresh_from_db()
    assert candidacy.state == CandidacyState.ASSESSING


@pytest.mark.parametrize(
    "begin",
    [
        lambda assessment, by: services.save_marks(
            assessment, marks={"rationale": (True, "")}, by=by
        ),
        lambda assessment, by: services.save_marks(
            assessment, marks={"rationale": (None, "Notes so far")}, by=by
        ),
    ],
    ids=["a mark", "feedback only"],
)
def test_unassigning_once_marking_has_begun_is_refused(
    begin, submitted, candidacy, national, assessor
):
    assessment = services.assign_assessor(submitted, assessor, by=national)
    begin(assessment, assessor)
    mail.outbox.clear()

    with pytest.raises(AccreditationRefused, match="has begun marking"):
        services.unassign_assessor(assessment, reason="Too slow", by=national)

    candidacy.refresh_from_db()
    assert candidacy.state == CandidacyState.ASSESSING
    assert Assessment.objects.get() == assessment
    assert not AuditEntry.objects.filter(action="accreditation.assessment.unassigned").exists()
    assert mail.outbox == []


def test_only_national_staff_unassign_and_with_a_reason(submitted, national, assessor, leeds_hub):
    assessment = services.assign_assessor(submitted, assessor, by=national)
    hub_staff = RoleAssignmentFactory(role="hub_staff", hub=leeds_hub).user

    for who in (assessor, hub_staff):
        with pytest.raises(AccreditationRefused, match="Only national staff can unassign"):
            services.unassign_assessor(assessment, reason="Not mine", by=who)
    with pytest.raises(AccreditationRefused, match="Give the reason"):
        services.unassign_assessor(assessment, reason="  ", by=national)

    assert Assessment.objects.get() == assessment


def test_unassigning_a_moderator_keeps_the_submission_in_moderation(
    submitted, candidacy, national, assessor, moderator, settings
):
    settings.ACCREDITATION_MODERATION_SHARE = 0.0
    first = services.assign_assessor(submitted, assessor, by=national)
    services.save_marks(first, marks=all_met(False), by=assessor)
    services.recommend(first, recommendation="resubmit", summary="Again", by=assessor)
    moderation = services.assign_assessor(
        submitted, moderator, by=national, role=AssessmentRole.MODERATION
    )
    moves = candidacy.history.count()

    services.unassign_assessor(moderation, reason="Knows the candidate", by=national)

    candidacy.refresh_from_db()
    assert candidacy.state == CandidacyState.MODERATING
    assert candidacy.history.count() == moves
    assert list(Assessment.objects.all()) == [first]
    assert mail.outbox[-1].to == ["moderator@example.org"]
    assert "moderation" in mail.outbox[-1].body


def test_the_whole_way_to_the_register_without_moderation(
    submitted, candidacy, national, assessor, settings
):
    settings.ACCREDITATION_MODERATION_SHARE = 0.0
    assessment = services.assign_assessor(submitted, assessor, by=national)
    services.save_marks(assessment, marks=all_met(), by=assessor)
    services.recommend(assessment, recommendation="accredit", summary="Strong", by=assessor)

    with pytest.raises(AccreditationRefused, match="This marking is complete"):
        services.save_marks(assessment, marks=all_met(False), by=assessor)
    with pytest.raises(AccreditationRefused, match="Only national staff"):
        services.ratify(candidacy, by=assessor)
    accreditation = services.ratify(candidacy, by=national)

    candidacy.refresh_from_db()
    assert candidacy.state == CandidacyState.ACCREDITED
    assert accreditation.code.startswith("PDL-") and len(accreditation.code) == 18
    assert accreditation.valid_until == accreditation.accredited_on.replace(
        year=accreditation.accredited_on.year + 3
    )
    assert not accreditation.on_public_register
    assert _states(candidacy) == [
        ("", "drafting"),
        ("drafting", "submitted"),
        ("submitted", "assessing"),
        ("assessing", "awaiting_ratification"),
        ("awaiting_ratification", "accredited"),
    ]
    assert "You are an accredited PD Lead" in [m.subject for m in mail.outbox]


def test_a_non_accredit_recommendation_is_always_moderated_and_a_disagreement_decided(
    submitted, candidacy, national, assessor, moderator, settings
):
    settings.ACCREDITATION_MODERATION_SHARE = 0.0
    first = services.assign_assessor(submitted, assessor, by=national)
    services.save_marks(first, marks=all_met(False), by=assessor)
    services.recommend(first, recommendation="not_accredited", summary="Thin", by=assessor)
    candidacy.refresh_from_db()
    assert candidacy.state == CandidacyState.MODERATING

    with pytest.raises(AccreditationRefused, match="second person"):
        services.assign_assessor(submitted, assessor, by=national, role=AssessmentRole.MODERATION)
    second = services.assign_assessor(
        submitted, moderator, by=national, role=AssessmentRole.MODERATION
    )
    services.save_marks(second, marks=all_met(False), by=moderator)
    services.recommend(second, recommendation="resubmit", summary="Close", by=moderator)
    candidacy.refresh_from_db()
    assert candidacy.state == CandidacyState.MODERATING  # they disagree

    with pytest.raises(AccreditationRefused, match="did not mark"):
        services.decide_moderation(submitted, recommendation="resubmit", reason="x", by=moderator)
    services.decide_moderation(submitted, recommendation="resubmit", reason="Fair", by=national)
    services.ratify(candidacy, by=national)

    candidacy.refresh_from_db()
    assert candidacy.state == CandidacyState.RESUBMISSION
    assert candidacy.resubmit_by > timezone.now() + datetime.timedelta(days=41)


def _through_to_resubmit(version, candidacy, national, assessor, settings):
    settings.ACCREDITATION_MODERATION_SHARE = 0.0
    assessment = services.assign_assessor(version, assessor, by=national)
    services.save_marks(assessment, marks=all_met(False), by=assessor)
    services.recommend(assessment, recommendation="resubmit", summary="Again", by=assessor)
    candidacy.refresh_from_db()
    # Moderation agrees with a second assessor
    return assessment


def test_resubmission_is_allowed_once(
    submitted, candidacy, candidate, national, assessor, moderator, settings
):
    for version in (submitted, None):
        if version is None:
            services.save_draft(candidacy, section="evaluation", text="Better", by=candidate)
            version = services.submit_evidence(candidacy, by=candidate)
            assert version.number == 2
        _through_to_resubmit(version, candidacy, national, assessor, settings)
        second = services.assign_assessor(
            version, moderator, by=national, role=AssessmentRole.MODERATION
        )
        services.save_marks(second, marks=all_met(False), by=moderator)
        services.recommend(second, recommendation="resubmit", summary="Agree", by=moderator)
        services.ratify(candidacy, by=national)
        candidacy.refresh_from_db()

    assert candidacy.state == CandidacyState.NOT_ACCREDITED
    assert candidacy.history.last().reason == "Not accredited: the one resubmission was not enough"


def test_a_resubmission_after_its_window_is_refused(candidacy, candidate):
    write_every_section(candidacy, candidate)
    Candidacy.objects.filter(pk=candidacy.pk).update(
        state=CandidacyState.RESUBMISSION, resubmit_by=future(-1)
    )
    candidacy.refresh_from_db()
    with pytest.raises(AccreditationRefused, match="The deadline"):
        services.submit_evidence(candidacy, by=candidate)


def test_an_upheld_appeal_reopens_the_awarding_step(candidacy, candidate, national):
    not_accredited(candidacy)

    appeal = services.lodge_appeal(candidacy, grounds="Marked the wrong file", by=candidate)
    with pytest.raises(AccreditationRefused, match="already waiting"):
        services.lodge_appeal(candidacy, grounds="Again", by=candidate)
    services.decide_appeal(appeal, upheld=True, reason="Agreed", by=national)

    appeal.refresh_from_db()
    candidacy.refresh_from_db()
    assert appeal.outcome == AppealOutcome.UPHELD
    assert candidacy.state == CandidacyState.AWAITING_RATIFICATION


def test_an_appeal_on_the_last_day_is_lodged(candidacy, candidate):
    not_accredited(candidacy, days_ago=28)

    appeal = services.lodge_appeal(candidacy, grounds="Marked the wrong file", by=candidate)

    assert candidacy.appeals.get() == appeal


def test_an_appeal_after_the_last_day_is_refused_with_the_last_day(candidacy, candidate):
    not_accredited(candidacy, days_ago=29)
    last_day = timezone.localdate() - datetime.timedelta(days=1)

    with pytest.raises(AccreditationRefused) as refused:
        services.lodge_appeal(candidacy, grounds="Marked the wrong file", by=candidate)

    assert refused.value.reason == (
        f"The time to appeal has ended: the last day was {last_day:%-d %B %Y}."
    )
    assert not candidacy.appeals.exists()


def test_the_appeal_limit_follows_the_setting(candidacy, candidate, settings):
    settings.ACCREDITATION_APPEAL_DAYS = 7
    not_accredited(candidacy, days_ago=8)

    with pytest.raises(AccreditationRefused, match="The time to appeal has ended"):
        services.lodge_appeal(candidacy, grounds="Marked the wrong file", by=candidate)

    settings.ACCREDITATION_APPEAL_DAYS = 8
    services.lodge_appeal(candidacy, grounds="Marked the wrong file", by=candidate)
    assert candidacy.appeals.count() == 1


def test_the_not_accredited_email_gives_the_last_day_to_appeal(
    submitted, candidacy, national, assessor, moderator, settings
):
    settings.ACCREDITATION_APPEAL_DAYS = 28
    first = services.assign_assessor(submitted, assessor, by=national)
    services.save_marks(first, marks=all_met(False), by=assessor)
    services.recommend(first, recommendation="not_accredited", summary="Thin", by=assessor)
    second = services.assign_assessor(
        submitted, moderator, by=national, role=AssessmentRole.MODERATION
    )
    services.save_marks(second, marks=all_met(False), by=moderator)
    services.recommend(second, recommendation="not_accredited", summary="Thin", by=moderator)
    mail.outbox.clear()

    services.ratify(candidacy, by=national)

    last_day = timezone.localdate() + datetime.timedelta(days=28)
    assert [m.subject for m in mail.outbox] == ["The outcome of your accreditation"]
    assert f"until {last_day:%-d %B %Y}." in mail.outbox[0].body


def test_withdrawing(candidacy, candidate, national):
    with pytest.raises(AccreditationRefused, match="Give a reason"):
        services.withdraw_candidacy(candidacy, reason=" ", by=candidate)
    services.withdraw_candidacy(candidacy, reason="Moving abroad", by=candidate)
    candidacy.refresh_from_db()
    assert candidacy.state == CandidacyState.WITHDRAWN
    with pytest.raises(AccreditationRefused, match="cannot become"):
        services.withdraw_candidacy(candidacy, reason="Again", by=national)


def test_pg_cert_records_the_fee_as_money(candidacy, candidate, settings):
    settings.ACCREDITATION_PG_CERT_FEE = "1250.00"
    services.opt_into_pg_cert(candidacy, by=candidate)
    candidacy.refresh_from_db()
    assert candidacy.pg_cert_fee == Decimal("1250.00")
    with pytest.raises(AccreditationRefused, match="already joined"):
        services.opt_into_pg_cert(candidacy, by=candidate)


# --- Register and renewal ---------------------------------------------------------------------


def _accreditation(holder, *, valid_until, **extra):
    return Accreditation.objects.create(
        holder=holder,
        phase="secondary",
        code=f"PDL-TEST-{holder.pk:04d}-AAAA",
        accredited_on=valid_until - datetime.timedelta(days=3 * 365),
        valid_until=valid_until,
        **extra,
    )


def test_register_listing_is_the_holders_choice(candidate, national):
    accreditation = _accreditation(candidate, valid_until=timezone.localdate())
    with pytest.raises(AccreditationRefused):
        services.set_register_listing(accreditation, listed=True, by=national)
    services.set_register_listing(accreditation, listed=True, by=candidate)
    accreditation.refresh_from_db()
    assert accreditation.on_public_register


def test_an_expired_renewal_is_refused(candidate):
    accreditation = _accreditation(
        candidate, valid_until=timezone.localdate() - datetime.timedelta(days=1)
    )
    with pytest.raises(AccreditationRefused, match="can no longer be renewed"):
        services.request_renewal(accreditation, evidence="Led lots", offerings=[], by=candidate)
    assert Renewal.objects.count() == 0


def test_renewal_before_expiry_extends_by_the_validity_period(candidate, national):
    ends = timezone.localdate() + datetime.timedelta(days=30)
    accreditation = _accreditation(candidate, valid_until=ends, reminders_sent=[90, 30])

    renewal = services.request_renewal(
        accreditation, evidence="Led two Work Groups", offerings=[], by=candidate
    )
    with pytest.raises(AccreditationRefused, match="already waiting"):
        services.request_renewal(accreditation, evidence="Again", offerings=[], by=candidate)
    services.review_renewal(renewal, renewed=True, note="", by=national)

    accreditation.refresh_from_db()
    renewal.refresh_from_db()
    assert renewal.state == RenewalState.RENEWED
    assert accreditation.valid_until == ends.replace(year=ends.year + 3)
    assert accreditation.reminders_sent == []


def test_reminders_are_sent_once_and_lapse_comes_after_the_end(candidate):
    today = timezone.localdate()
    accreditation = _accreditation(candidate, valid_until=today + datetime.timedelta(days=29))

    assert services.send_renewal_reminders(today=today) == 1
    assert services.send_renewal_reminders(today=today) == 0
    assert [m.subject for m in mail.outbox] == ["Renew your PD Lead accreditation"]

    assert services.lapse_expired_accreditations(today=accreditation.valid_until) == 0
    later = accreditation.valid_until + datetime.timedelta(days=1)
    assert services.lapse_expired_accreditations(today=later) == 1
    accreditation.refresh_from_db()
    assert accreditation.lapsed_at is not None
    assert mail.outbox[-1].subject == "Your PD Lead accreditation has lapsed"


def test_every_section_is_marked_out_of_the_published_sections(submitted, national, assessor):
    assessment = services.assign_assessor(submitted, assessor, by=national)
    assert sorted(assessment.marks.values_list("section", flat=True)) == sorted(SECTION_KEYS)
    with pytest.raises(AccreditationRefused, match="no such section"):
        services.save_marks(assessment, marks={"bogus": (True, "")}, by=assessor)


def test_the_periodic_tasks_remind_and_lapse(candidate):
    from cpdnet.accreditation import tasks

    today = timezone.localdate()
    due = _accreditation(candidate, valid_until=today + datetime.timedelta(days=6))
    ended = Accreditation.objects.create(
        holder=candidate,
        phase="primary",
        code="PDL-ENDE-DAAA-AAAA",
        accredited_on=today - datetime.timedelta(days=1100),
        valid_until=today - datetime.timedelta(days=1),
    )

    tasks.send_renewal_reminders_task.call()
    tasks.lapse_expired_accreditations_task.call()

    due.refresh_from_db()
    ended.refresh_from_db()
    assert due.reminders_sent == [7] and due.lapsed_at is None
    assert ended.lapsed_at is not None
