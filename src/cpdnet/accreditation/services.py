"""Writes for accreditation. Every change of a candidacy's state goes through `_move`, which
checks the allowed transitions (rules.move_refusal), writes the history row, audits and owes
the candidate's email in the same transaction. A refusal raises `AccreditationRefused` with a
reason to show as is, and changes nothing."""

import datetime
import secrets
from collections.abc import Iterable
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from cpdnet.accounts.models import Role, RoleAssignment
from cpdnet.accounts.selectors import has_role, is_national_staff
from cpdnet.applications.models import Application, State
from cpdnet.audit.services import record
from cpdnet.delivery.certificates import CODE_ALPHABET, CODE_GROUP, CODE_LENGTH
from cpdnet.delivery.uploads import CheckedUpload, store
from cpdnet.hubs.directory import get_hub_directory
from cpdnet.notifications.outbox import owe_email
from cpdnet.programmes.models import Kind, Offering

from . import rules, selectors
from .models import (
    SECTION_KEYS,
    Accreditation,
    Appeal,
    AppealOutcome,
    Assessment,
    AssessmentRole,
    Candidacy,
    CandidacyState,
    CandidacyTransition,
    CohortDeadline,
    EvidenceDraft,
    EvidenceFile,
    ModerationDecision,
    Recommendation,
    Renewal,
    RenewalState,
    SectionMark,
    SubmittedVersion,
)

DEFAULT_RESUBMISSION_WINDOW_DAYS = 42


class AccreditationRefused(Exception):
    """A request that cannot be carried out, with a reason for the person who asked."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _refuse_unless(allowed: bool, reason: str) -> None:
    if not allowed:
        raise AccreditationRefused(reason)


def _national(user) -> bool:
    return bool(user) and user.is_authenticated and is_national_staff(user)


def _require_national(user, doing: str) -> None:
    _refuse_unless(_national(user), f"Only national staff can {doing}.")


def _require_candidate(candidacy: Candidacy, user, doing: str) -> None:
    _refuse_unless(
        getattr(user, "pk", None) == candidacy.candidate_id,
        f"Only the candidate can {doing}.",
    )


def _lock(candidacy: Candidacy) -> Candidacy:
    # Row lock on PostgreSQL; SQLite serialises writers with BEGIN IMMEDIATE (settings).
    locked = Candidacy.objects.select_for_update().get(pk=candidacy.pk)
    candidacy.state = locked.state
    return locked


def _move(candidacy: Candidacy, to_state: str, *, by, reason: str = "") -> CandidacyTransition:
    refusal = rules.move_refusal(candidacy.state, to_state)
    if refusal:
        raise AccreditationRefused(refusal)
    from .tasks import email_candidacy_transition_task

    transition = CandidacyTransition.objects.create(
        candidacy=candidacy,
        from_state=candidacy.state,
        to_state=to_state,
        by=by if getattr(by, "pk", None) else None,
        reason=reason[:300],
    )
    candidacy.state = to_state
    candidacy.save(update_fields=["state", "resubmit_by", "updated_at"])
    record(
        actor=by,
        action=f"accreditation.candidacy.{to_state}",
        obj=candidacy,
        hub=candidacy.hub,
        summary=f"Candidacy {candidacy.pk}: {transition.from_state} -> {to_state}",
        data={"reason": reason[:300]} if reason else None,
    )
    owe_email(email_candidacy_transition_task, transition.pk)
    return transition


# --- Opening a candidacy -------------------------------------------------------------------


def _candidate_hub_id(application: Application) -> int | None:
    school = application.school
    network_id = application.offering.programme.network_id
    hubs = get_hub_directory().hubs_for(school.la_code, school.district_code, school.urn)
    serving = hubs.get(network_id)
    return serving.pk if serving else application.offering.hub_id


def open_candidacy(application: Application) -> Candidacy | None:
    """Open the candidacy of an accepted place on an accreditation programme (idempotent);
    None for any other programme."""
    programme = application.offering.programme
    if programme.kind != Kind.ACCREDITATION:
        return None
    existing = Candidacy.objects.filter(application=application).first()
    if existing is not None:
        return existing
    with transaction.atomic():
        candidacy = Candidacy.objects.create(
            application=application,
            candidate_id=application.applicant_id,
            phase=programme.phase,
            hub_id=_candidate_hub_id(application),
        )
        CandidacyTransition.objects.create(
            candidacy=candidacy, to_state=CandidacyState.DRAFTING, reason="Place accepted"
        )
        record(
            actor=None,
            action="accreditation.candidacy.opened",
            obj=candidacy,
            hub=candidacy.hub,
            summary=f"Candidacy opened for application {application.pk}",
        )
    return candidacy


def on_application_moved(sender, *, application, to_state, **kwargs) -> None:
    """applications.signals.application_moved: an accepted accreditation place opens one."""
    if to_state == State.ACCEPTED:
        open_candidacy(application)


# --- The evidence document ------------------------------------------------------------------


def _require_writable(candidacy: Candidacy) -> None:
    _refuse_unless(
        candidacy.state in (CandidacyState.DRAFTING, CandidacyState.RESUBMISSION),
        "The evidence can only be changed while you are writing it or resubmitting; it is "
        f"{candidacy.get_state_display().lower()}.",
    )


def save_draft(candidacy: Candidacy, *, section: str, text: str, by) -> EvidenceDraft:
    """Keep the candidate's working text of one section (autosave)."""
    _require_candidate(candidacy, by, "write this evidence")
    _refuse_unless(section in SECTION_KEYS, "There is no such section in the evidence document.")
    with transaction.atomic():
        locked = _lock(candidacy)
        _require_writable(locked)
        draft, _created = EvidenceDraft.objects.update_or_create(
            candidacy=locked, section=section, defaults={"text": text}
        )
    return draft


def attach_file(
    candidacy: Candidacy, upload: CheckedUpload, *, title: str, section: str = "", by
) -> EvidenceFile:
    """Attach a checked file to the evidence document."""
    _require_candidate(candidacy, by, "attach evidence")
    _refuse_unless(bool(title.strip()), "Give the file a title.")
    _refuse_unless(
        section == "" or section in SECTION_KEYS, "There is no such section in the document."
    )
    evidence_file = EvidenceFile(candidacy=candidacy, title=title.strip()[:200], section=section)
    with transaction.atomic():
        locked = _lock(candidacy)
        _require_writable(locked)
        # Stored before the row is written: a failed write leaves an orphan file, never a row
        # pointing at nothing.
        evidence_file.stored_name = store(upload)
        evidence_file.original_name = upload.original_name
        evidence_file.content_type = upload.content_type
        evidence_file.size_bytes = upload.size_bytes
        evidence_file.save()
        record(
            actor=by,
            action="accreditation.evidence_file.added",
            obj=evidence_file,
            hub=locked.hub,
            summary=f"Evidence file added to candidacy {locked.pk}",
        )
    return evidence_file


def remove_file(evidence_file: EvidenceFile, *, by) -> None:
    """Take a file out of the draft; a submitted version keeps citing it."""
    candidacy = evidence_file.candidacy
    _require_candidate(candidacy, by, "remove evidence")
    with transaction.atomic():
        locked = _lock(candidacy)
        _require_writable(locked)
        EvidenceFile.objects.filter(pk=evidence_file.pk, removed_at__isnull=True).update(
            removed_at=timezone.now()
        )
        record(
            actor=by,
            action="accreditation.evidence_file.removed",
            obj=evidence_file,
            hub=locked.hub,
            summary=f"Evidence file removed from candidacy {locked.pk}",
        )


def link_offerings(candidacy: Candidacy, offerings: Iterable[Offering], *, by) -> None:
    """Cite the offerings the candidate facilitates as the PD their evidence is about."""
    _require_candidate(candidacy, by, "choose the offerings your evidence cites")
    offerings = list(offerings)
    not_theirs = [o for o in offerings if o.facilitator_id != candidacy.candidate_id]
    _refuse_unless(
        not not_theirs,
        "You can only cite offerings you facilitate. Not yours: "
        + ", ".join(str(o) for o in not_theirs),
    )
    with transaction.atomic():
        locked = _lock(candidacy)
        _require_writable(locked)
        locked.led_offerings.set(offerings)
        record(
            actor=by,
            action="accreditation.candidacy.offerings_linked",
            obj=locked,
            hub=locked.hub,
            summary=f"Candidacy {locked.pk} cites {len(offerings)} offering(s)",
            data={"offerings": [o.pk for o in offerings]},
        )


def _deadline_for(candidacy: Candidacy) -> datetime.datetime | None:
    cohort = CohortDeadline.objects.filter(offering_id=candidacy.application.offering_id).first()
    return rules.effective_deadline(
        state=candidacy.state,
        submit_by=cohort.submit_by if cohort else None,
        extended_to=candidacy.extended_to,
        resubmit_by=candidacy.resubmit_by,
    )


def submit_evidence(
    candidacy: Candidacy, *, by, now: datetime.datetime | None = None
) -> SubmittedVersion:
    """Freeze the drafts and current files into a submitted version, by the deadline."""
    _require_candidate(candidacy, by, "submit this evidence")
    now = now or timezone.now()
    with transaction.atomic():
        locked = _lock(candidacy)
        texts = dict(locked.drafts.values_list("section", "text"))
        cohort = CohortDeadline.objects.filter(offering_id=locked.application.offering_id).first()
        deadline = _deadline_for(locked)
        refusal = rules.submission_refusal(
            state=locked.state,
            now=now,
            deadline=deadline,
            versions_submitted=locked.versions.count(),
            empty_sections=tuple(key for key in SECTION_KEYS if not texts.get(key, "").strip()),
        )
        if refusal:
            raise AccreditationRefused(refusal)
        version = SubmittedVersion.objects.create(
            candidacy=locked,
            number=locked.versions.count() + 1,
            sections={key: texts[key] for key in SECTION_KEYS},
            late_by_extension=bool(cohort and locked.extended_to and now > cohort.submit_by),
        )
        version.files.set(locked.files.filter(removed_at__isnull=True))
        _move(locked, CandidacyState.SUBMITTED, by=by, reason=f"Version {version.number}")
    candidacy.state = locked.state
    return version


def set_cohort_deadline(
    offering: Offering, *, submit_by: datetime.datetime, resubmission_window_days: int, by
) -> CohortDeadline:
    """Set when a cohort's evidence is due, and how long a resubmission may take."""
    _require_national(by, "set evidence deadlines")
    _refuse_unless(
        offering.programme.kind == Kind.ACCREDITATION,
        "Deadlines are only for accreditation programmes.",
    )
    _refuse_unless(
        1 <= resubmission_window_days <= 365,
        "A resubmission window is between 1 and 365 days.",
    )
    with transaction.atomic():
        deadline, _created = CohortDeadline.objects.update_or_create(
            offering=offering,
            defaults={"submit_by": submit_by, "resubmission_window_days": resubmission_window_days},
        )
        record(
            actor=by,
            action="accreditation.deadline.set",
            obj=deadline,
            hub=offering.hub,
            summary=f"Evidence due {submit_by:%d %b %Y %H:%M} for {offering}",
            data={"resubmission_window_days": resubmission_window_days},
        )
    return deadline


def grant_extension(
    candidacy: Candidacy, *, until: datetime.datetime, reason: str, by
) -> Candidacy:
    """Give one candidate longer to submit."""
    _require_national(by, "grant extensions")
    _refuse_unless(bool(reason.strip()), "Say why the extension is granted.")
    _refuse_unless(until > timezone.now(), "An extension must end in the future.")
    with transaction.atomic():
        locked = _lock(candidacy)
        _refuse_unless(
            locked.state == CandidacyState.DRAFTING,
            "Extensions are for evidence not yet submitted.",
        )
        locked.extended_to = until
        locked.extension_reason = reason.strip()[:300]
        locked.save(update_fields=["extended_to", "extension_reason", "updated_at"])
        record(
            actor=by,
            action="accreditation.candidacy.extension_granted",
            obj=locked,
            hub=locked.hub,
            summary=f"Extension for candidacy {locked.pk} until {until:%d %b %Y %H:%M}",
            data={"reason": locked.extension_reason},
        )
    return locked


# --- Assessment and moderation -------------------------------------------------------------


def _latest_version(candidacy: Candidacy) -> SubmittedVersion | None:
    return candidacy.versions.order_by("-number").first()


def conflict_reason(version: SubmittedVersion, assessor, *, role: str) -> str | None:
    """Why this person may not assess this version in this role, or None."""
    candidacy = version.candidacy
    roles = {Role.ASSESSOR} if role == AssessmentRole.FIRST else {Role.ASSESSOR, Role.MODERATOR}
    assessor_hubs = set(
        RoleAssignment.objects.filter(user=assessor, hub__isnull=False).values_list(
            "hub_id", flat=True
        )
    )
    if assessor.school_id:
        school = assessor.school
        serving = get_hub_directory().hubs_for(school.la_code, school.district_code, school.urn)
        assessor_hubs |= {hub.pk for hub in serving.values()}
    return rules.assessor_conflict(
        assessor_is_candidate=assessor.pk == candidacy.candidate_id,
        holds_role=any(has_role(assessor, name) for name in roles),
        same_school=bool(assessor.school_id)
        and assessor.school_id == candidacy.application.school_id,
        same_hub=candidacy.hub_id is not None and candidacy.hub_id in assessor_hubs,
        already_assesses_version=version.assessments.filter(assessor=assessor).exists(),
    )


def assign_assessor(
    version: SubmittedVersion, assessor, *, by, role: str = AssessmentRole.FIRST
) -> Assessment:
    """Give a submitted version to an assessor for first marking or blind moderation."""
    _require_national(by, "assign assessors")
    with transaction.atomic():
        candidacy = _lock(version.candidacy)
        latest = _latest_version(candidacy)
        _refuse_unless(
            latest is not None and latest.pk == version.pk,
            "Only the latest submitted version is assessed.",
        )
        expected = (
            CandidacyState.SUBMITTED if role == AssessmentRole.FIRST else CandidacyState.MODERATING
        )
        _refuse_unless(
            candidacy.state == expected,
            f"This submission is {candidacy.get_state_display().lower()}: it cannot be given "
            f"for {AssessmentRole(role).label.lower()} now.",
        )
        _refuse_unless(
            not version.assessments.filter(role=role).exists(),
            "This submission already has an assessor for that marking.",
        )
        conflict = conflict_reason(version, assessor, role=role)
        if conflict:
            raise AccreditationRefused(conflict)
        assessment = Assessment.objects.create(
            version=version, assessor=assessor, role=role, assigned_by=by
        )
        SectionMark.objects.bulk_create(
            SectionMark(assessment=assessment, section=key) for key in SECTION_KEYS
        )
        if role == AssessmentRole.FIRST:
            _move(candidacy, CandidacyState.ASSESSING, by=by, reason="Assessor assigned")
        record(
            actor=by,
            action="accreditation.assessment.assigned",
            obj=assessment,
            hub=candidacy.hub,
            summary=f"{AssessmentRole(role).label} of candidacy {candidacy.pk} assigned",
            data={"assessor": assessor.pk, "role": role},
        )
        from .tasks import email_assessment_assigned_task

        owe_email(email_assessment_assigned_task, assessment.pk)
    return assessment


def unassign_assessor(assessment: Assessment, *, reason: str, by) -> None:
    """Take a marking back from its assessor before they begin it: a first marking's
    submission waits for an assessor again, a moderation for a moderator. The assessor is
    emailed; the candidate is not (nothing has changed for them)."""
    _require_national(by, "unassign assessors")
    _refuse_unless(bool(reason.strip()), "Give the reason for unassigning the assessor.")
    with transaction.atomic():
        candidacy = _lock(assessment.version.candidacy)
        locked = Assessment.objects.select_for_update().filter(pk=assessment.pk).first()
        _refuse_unless(locked is not None, "This assessor has already been unassigned.")
        begun = locked.completed_at is not None or (
            locked.marks.filter(Q(met__isnull=False) | ~Q(feedback="")).exists()
        )
        _refuse_unless(
            not begun,
            "The assessor has begun marking this submission, so they cannot be unassigned.",
        )
        role = AssessmentRole(locked.role)
        if role == AssessmentRole.FIRST:
            _move(
                candidacy,
                CandidacyState.SUBMITTED,
                by=by,
                reason=f"Assessor unassigned: {reason.strip()}",
            )
        record(
            actor=by,
            action="accreditation.assessment.unassigned",
            obj=locked,
            hub=candidacy.hub,
            summary=f"{role.label} of candidacy {candidacy.pk} unassigned",
            data={"assessor": locked.assessor_id, "role": role.value, "reason": reason.strip()},
        )
        from .tasks import email_assessment_unassigned_task

        owe_email(email_assessment_unassigned_task, locked.pk, locked.assessor_id, role.value)
        locked.delete()


def _lock_assessment(assessment: Assessment, by) -> Assessment:
    locked = Assessment.objects.select_for_update().filter(pk=assessment.pk).first()
    # National staff may have unassigned it (`unassign_assessor` deletes it) since it was read.
    _refuse_unless(locked is not None, "This submission is no longer assigned to you.")
    _refuse_unless(
        getattr(by, "pk", None) == locked.assessor_id,
        "Only the assessor it is assigned to can mark this submission.",
    )
    _refuse_unless(locked.completed_at is None, "This marking is complete and cannot change.")
    return locked


def save_marks(
    assessment: Assessment, *, marks: dict[str, tuple[bool | None, str]], by
) -> Assessment:
    """Save the assessor's marks for the sections given (the others are left as they are)."""
    unknown = set(marks) - set(SECTION_KEYS)
    _refuse_unless(not unknown, "There is no such section: " + ", ".join(sorted(unknown)))
    with transaction.atomic():
        locked = _lock_assessment(assessment, by)
        for section, (met, feedback) in marks.items():
            SectionMark.objects.update_or_create(
                assessment=locked, section=section, defaults={"met": met, "feedback": feedback}
            )
        record(
            actor=by,
            action="accreditation.assessment.marked",
            obj=locked,
            hub=locked.version.candidacy.hub,
            summary=f"Marks saved for {len(marks)} section(s)",
            data={"sections": sorted(marks)},
        )
    return locked


def recommend(assessment: Assessment, *, recommendation: str, summary: str, by) -> Assessment:
    """Complete a marking with a recommendation; a first marking goes to moderation when
    sampled, a moderation that agrees goes to ratification."""
    _refuse_unless(
        recommendation in Recommendation.values, "Choose accredit, resubmit or not accredited."
    )
    _refuse_unless(bool(summary.strip()), "Write overall feedback for the candidate.")
    with transaction.atomic():
        candidacy = _lock(assessment.version.candidacy)
        locked = _lock_assessment(assessment, by)
        marks = dict(locked.marks.values_list("section", "met"))
        refusal = rules.recommendation_refusal(recommendation=recommendation, marks=marks)
        if refusal:
            raise AccreditationRefused(refusal)
        locked.recommendation = recommendation
        locked.summary = summary.strip()
        locked.completed_at = timezone.now()
        locked.save(update_fields=["recommendation", "summary", "completed_at"])
        record(
            actor=by,
            action="accreditation.assessment.recommended",
            obj=locked,
            hub=candidacy.hub,
            summary=f"{locked.get_role_display()}: {recommendation}",
            data={"recommendation": recommendation},
        )
        if locked.role == AssessmentRole.FIRST:
            sampled = rules.needs_moderation(
                recommendation=recommendation,
                version_id=locked.version_id,
                share=settings.ACCREDITATION_MODERATION_SHARE,
            )
            to_state = (
                CandidacyState.MODERATING if sampled else CandidacyState.AWAITING_RATIFICATION
            )
            _move(candidacy, to_state, by=by, reason=f"First marking: {recommendation}")
        else:
            first = locked.version.assessments.get(role=AssessmentRole.FIRST)
            if first.recommendation == recommendation:
                _move(
                    candidacy,
                    CandidacyState.AWAITING_RATIFICATION,
                    by=by,
                    reason=f"Moderation agrees: {recommendation}",
                )
    assessment.completed_at = locked.completed_at
    return locked


def decide_moderation(
    version: SubmittedVersion, *, recommendation: str, reason: str, by
) -> ModerationDecision:
    """Settle a disagreement between first marking and moderation."""
    _refuse_unless(
        _national(by) or (by.is_authenticated and has_role(by, Role.MODERATOR)),
        "Only national staff or a moderator can decide a moderation.",
    )
    _refuse_unless(
        recommendation in Recommendation.values, "Choose accredit, resubmit or not accredited."
    )
    _refuse_unless(bool(reason.strip()), "Give the reason for the decision.")
    with transaction.atomic():
        candidacy = _lock(version.candidacy)
        _refuse_unless(
            candidacy.state == CandidacyState.MODERATING,
            "Only a submission being moderated can have a moderation decision.",
        )
        done = {a.role: a for a in version.assessments.filter(completed_at__isnull=False)}
        _refuse_unless(
            len(done) == 2, "Both markings must be complete before a moderation decision."
        )
        _refuse_unless(
            getattr(by, "pk", None) not in {a.assessor_id for a in done.values()},
            "A moderation decision is made by someone who did not mark the submission.",
        )
        decision = ModerationDecision.objects.create(
            version=version, recommendation=recommendation, reason=reason.strip(), decided_by=by
        )
        record(
            actor=by,
            action="accreditation.moderation.decided",
            obj=decision,
            hub=candidacy.hub,
            summary=f"Moderation decided for candidacy {candidacy.pk}: {recommendation}",
            data={"recommendation": recommendation},
        )
        _move(
            candidacy,
            CandidacyState.AWAITING_RATIFICATION,
            by=by,
            reason=f"Moderation decision: {recommendation}",
        )
    return decision


def outcome_of(version: SubmittedVersion) -> str | None:
    """The recommendation ratification acts on, from the markings and any decision."""
    by_role = {a.role: a.recommendation for a in version.assessments.all() if a.completed_at}
    if AssessmentRole.FIRST not in by_role:
        return None
    decision = ModerationDecision.objects.filter(version=version).first()
    return rules.final_recommendation(
        first=by_role[AssessmentRole.FIRST],
        moderation=by_role.get(AssessmentRole.MODERATION),
        decision=decision.recommendation if decision else None,
    )


def new_accreditation_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return rules.CODE_PREFIX + "-".join(
        raw[i : i + CODE_GROUP] for i in range(0, CODE_LENGTH, CODE_GROUP)
    )


def ratify(candidacy: Candidacy, *, by, recommendation: str | None = None) -> Accreditation | None:
    """The awarding step: accredit (a register entry with a `PDL-` code), ask for the one
    resubmission, or not accredit. `recommendation` overrides the markings' outcome, for a
    decision reopened by an upheld appeal."""
    _require_national(by, "ratify outcomes")
    with transaction.atomic():
        locked = _lock(candidacy)
        _refuse_unless(
            locked.state == CandidacyState.AWAITING_RATIFICATION,
            "Only an outcome waiting for the awarding decision can be ratified.",
        )
        version = _latest_version(locked)
        outcome = recommendation or outcome_of(version)
        _refuse_unless(
            outcome in Recommendation.values, "The markings have not settled on an outcome."
        )
        to_state = rules.ratified_outcome(recommendation=outcome, version_number=version.number)
        accreditation = None
        if to_state == CandidacyState.RESUBMISSION:
            cohort = CohortDeadline.objects.filter(
                offering_id=locked.application.offering_id
            ).first()
            window = cohort.resubmission_window_days if cohort else DEFAULT_RESUBMISSION_WINDOW_DAYS
            locked.resubmit_by = timezone.now() + datetime.timedelta(days=window)
        reason = {
            CandidacyState.ACCREDITED: "Accredited",
            CandidacyState.RESUBMISSION: "Asked to resubmit",
            CandidacyState.NOT_ACCREDITED: (
                "Not accredited: the one resubmission was not enough"
                if outcome == Recommendation.RESUBMIT
                else "Not accredited"
            ),
        }[to_state]
        _move(locked, to_state, by=by, reason=reason)
        if to_state == CandidacyState.ACCREDITED:
            accreditation = _award(locked, by=by)
    candidacy.state = locked.state
    return accreditation


def _award(candidacy: Candidacy, *, by) -> Accreditation:
    today = timezone.localdate()
    for _attempt in range(5):
        try:
            with transaction.atomic():
                accreditation = Accreditation.objects.create(
                    holder_id=candidacy.candidate_id,
                    candidacy=candidacy,
                    phase=candidacy.phase,
                    hub=candidacy.hub,
                    code=new_accreditation_code(),
                    accredited_on=today,
                    valid_until=rules.add_years(today, settings.ACCREDITATION_VALIDITY_YEARS),
                )
            break
        except IntegrityError:  # a code already taken: draw again
            continue
    else:
        raise AccreditationRefused("Could not issue a unique code; try again.")
    record(
        actor=by,
        action="accreditation.accreditation.awarded",
        obj=accreditation,
        hub=candidacy.hub,
        summary=f"Accredited PD Lead {accreditation.code}",
    )
    return accreditation


def withdraw_candidacy(candidacy: Candidacy, *, reason: str, by) -> Candidacy:
    """The candidate leaves, or national staff withdraw them."""
    _refuse_unless(
        getattr(by, "pk", None) == candidacy.candidate_id or _national(by),
        "Only the candidate or national staff can withdraw a candidacy.",
    )
    _refuse_unless(bool(reason.strip()), "Give a reason for withdrawing.")
    with transaction.atomic():
        locked = _lock(candidacy)
        _move(locked, CandidacyState.WITHDRAWN, by=by, reason=reason.strip())
    candidacy.state = locked.state
    return locked


def lodge_appeal(candidacy: Candidacy, *, grounds: str, by) -> Appeal:
    """The candidate appeals against a decision not to accredit, within
    `ACCREDITATION_APPEAL_DAYS` of it."""
    _require_candidate(candidacy, by, "appeal")
    _refuse_unless(bool(grounds.strip()), "Say on what grounds you appeal.")
    with transaction.atomic():
        locked = _lock(candidacy)
        _refuse_unless(
            locked.state == CandidacyState.NOT_ACCREDITED,
            "You can appeal against a decision not to accredit.",
        )
        refusal = rules.appeal_refusal(
            today=timezone.localdate(), last_day=selectors.appeal_last_day(locked)
        )
        if refusal:
            raise AccreditationRefused(refusal)
        _refuse_unless(
            not locked.appeals.filter(outcome=AppealOutcome.PENDING).exists(),
            "Your appeal is already waiting for a decision.",
        )
        appeal = Appeal.objects.create(candidacy=locked, grounds=grounds.strip())
        record(
            actor=by,
            action="accreditation.appeal.lodged",
            obj=appeal,
            hub=locked.hub,
            summary=f"Appeal lodged on candidacy {locked.pk}",
        )
    return appeal


def decide_appeal(appeal: Appeal, *, upheld: bool, reason: str, by) -> Appeal:
    """Record an appeal's outcome; an upheld appeal reopens the awarding step."""
    _require_national(by, "decide appeals")
    _refuse_unless(bool(reason.strip()), "Give the reason for the outcome.")
    with transaction.atomic():
        locked = Appeal.objects.select_for_update().get(pk=appeal.pk)
        _refuse_unless(locked.outcome == AppealOutcome.PENDING, "This appeal has been decided.")
        locked.outcome = AppealOutcome.UPHELD if upheld else AppealOutcome.DISMISSED
        locked.outcome_reason = reason.strip()
        locked.decided_by = by
        locked.decided_at = timezone.now()
        locked.save(update_fields=["outcome", "outcome_reason", "decided_by", "decided_at"])
        candidacy = _lock(locked.candidacy)
        record(
            actor=by,
            action=f"accreditation.appeal.{locked.outcome}",
            obj=locked,
            hub=candidacy.hub,
            summary=f"Appeal on candidacy {candidacy.pk} {locked.outcome}",
        )
        if upheld:
            _move(
                candidacy,
                CandidacyState.AWAITING_RATIFICATION,
                by=by,
                reason="Appeal upheld: the decision is made again",
            )
    appeal.outcome = locked.outcome
    return locked


# --- The register, renewal and the PG Cert -------------------------------------------------


def set_register_listing(accreditation: Accreditation, *, listed: bool, by) -> Accreditation:
    """The holder chooses whether the public register shows them."""
    _refuse_unless(
        getattr(by, "pk", None) == accreditation.holder_id,
        "Only the accredited PD Lead can choose to be listed.",
    )
    with transaction.atomic():
        Accreditation.objects.filter(pk=accreditation.pk).update(on_public_register=listed)
        accreditation.on_public_register = listed
        record(
            actor=by,
            action="accreditation.accreditation.listing_changed",
            obj=accreditation,
            hub=accreditation.hub,
            summary=f"{accreditation.code} {'listed on' if listed else 'taken off'} the register",
            data={"listed": listed},
        )
    return accreditation


def request_renewal(
    accreditation: Accreditation, *, evidence: str, offerings: Iterable[Offering], by
) -> Renewal:
    """The holder gives evidence of continued PD leadership before the accreditation ends."""
    _refuse_unless(
        getattr(by, "pk", None) == accreditation.holder_id,
        "Only the accredited PD Lead can ask for a renewal.",
    )
    _refuse_unless(bool(evidence.strip()), "Describe the PD you have led since accreditation.")
    offerings = list(offerings)
    _refuse_unless(
        all(o.facilitator_id == accreditation.holder_id for o in offerings),
        "You can only cite offerings you facilitate.",
    )
    with transaction.atomic():
        locked = Accreditation.objects.select_for_update().get(pk=accreditation.pk)
        refusal = rules.renewal_refusal(
            today=timezone.localdate(),
            valid_until=locked.valid_until,
            is_lapsed=locked.lapsed_at is not None,
            is_withdrawn=locked.withdrawn_at is not None,
            has_open_renewal=locked.renewals.filter(state=RenewalState.SUBMITTED).exists(),
        )
        if refusal:
            raise AccreditationRefused(refusal)
        renewal = Renewal.objects.create(accreditation=locked, evidence=evidence.strip())
        renewal.led_offerings.set(offerings)
        record(
            actor=by,
            action="accreditation.renewal.requested",
            obj=renewal,
            hub=locked.hub,
            summary=f"Renewal asked for {locked.code}",
        )
    return renewal


def review_renewal(renewal: Renewal, *, renewed: bool, note: str, by) -> Renewal:
    """Light-touch review: renew for another validity period, or return for more evidence."""
    _require_national(by, "review renewals")
    _refuse_unless(renewed or bool(note.strip()), "Say what more evidence is needed.")
    with transaction.atomic():
        locked = Renewal.objects.select_for_update().get(pk=renewal.pk)
        _refuse_unless(locked.state == RenewalState.SUBMITTED, "This renewal has been reviewed.")
        accreditation = Accreditation.objects.select_for_update().get(pk=locked.accreditation_id)
        locked.state = RenewalState.RENEWED if renewed else RenewalState.RETURNED
        locked.reviewed_by = by
        locked.reviewed_at = timezone.now()
        locked.review_note = note.strip()
        locked.save(update_fields=["state", "reviewed_by", "reviewed_at", "review_note"])
        if renewed:
            accreditation.valid_until = rules.add_years(
                accreditation.valid_until, settings.ACCREDITATION_VALIDITY_YEARS
            )
            accreditation.reminders_sent = []
            accreditation.lapsed_at = None
            accreditation.save(update_fields=["valid_until", "reminders_sent", "lapsed_at"])
        record(
            actor=by,
            action=f"accreditation.renewal.{locked.state}",
            obj=locked,
            hub=accreditation.hub,
            summary=f"Renewal of {accreditation.code}: {locked.state}",
        )
        from .tasks import email_renewal_reviewed_task

        owe_email(email_renewal_reviewed_task, locked.pk)
    return locked


def opt_into_pg_cert(candidacy: Candidacy, *, by) -> Candidacy:
    """Join the PG Cert route; the fee is recorded here and charged with funding."""
    _require_candidate(candidacy, by, "join the PG Cert route")
    with transaction.atomic():
        locked = _lock(candidacy)
        _refuse_unless(
            locked.pg_cert_opted_in_at is None, "You have already joined the PG Cert route."
        )
        _refuse_unless(
            locked.state not in (CandidacyState.WITHDRAWN, CandidacyState.NOT_ACCREDITED),
            "The PG Cert route is for candidates still on the programme.",
        )
        locked.pg_cert_opted_in_at = timezone.now()
        locked.pg_cert_fee = Decimal(settings.ACCREDITATION_PG_CERT_FEE)
        locked.save(update_fields=["pg_cert_opted_in_at", "pg_cert_fee", "updated_at"])
        record(
            actor=by,
            action="accreditation.candidacy.pg_cert_joined",
            obj=locked,
            hub=locked.hub,
            summary=f"Candidacy {locked.pk} joined the PG Cert route",
            data={"fee": str(locked.pg_cert_fee)},
        )
    candidacy.pg_cert_opted_in_at = locked.pg_cert_opted_in_at
    candidacy.pg_cert_fee = locked.pg_cert_fee
    return locked


# --- Periodic work -------------------------------------------------------------------------


def send_renewal_reminders(*, today: datetime.date | None = None) -> int:
    """Owe each holder the reminder whose day has come (each once); return how many."""
    from .tasks import email_renewal_reminder_task

    today = today or timezone.localdate()
    horizon = today + datetime.timedelta(days=max(settings.ACCREDITATION_RENEWAL_REMINDER_DAYS))
    owed = 0
    due = Accreditation.objects.filter(
        lapsed_at__isnull=True,
        withdrawn_at__isnull=True,
        valid_until__gte=today,
        valid_until__lte=horizon,
    ).only("pk", "valid_until", "reminders_sent")
    for accreditation in due.iterator(chunk_size=500):
        days = rules.reminder_due(
            today=today,
            valid_until=accreditation.valid_until,
            reminder_days=tuple(settings.ACCREDITATION_RENEWAL_REMINDER_DAYS),
            already_sent=accreditation.reminders_sent,
        )
        if days is None:
            continue
        with transaction.atomic():
            locked = Accreditation.objects.select_for_update().get(pk=accreditation.pk)
            if days in locked.reminders_sent:
                continue
            locked.reminders_sent = [*locked.reminders_sent, days]
            locked.save(update_fields=["reminders_sent"])
            owe_email(email_renewal_reminder_task, locked.pk, days)
            owed += 1
    return owed


def lapse_expired_accreditations(*, today: datetime.date | None = None) -> int:
    """Lapse every accreditation past its end and not renewed; return how many."""
    from .tasks import email_lapsed_task

    today = today or timezone.localdate()
    lapsed = 0
    ids = list(
        Accreditation.objects.filter(
            lapsed_at__isnull=True, withdrawn_at__isnull=True, valid_until__lt=today
        ).values_list("pk", flat=True)
    )
    for pk in ids:
        with transaction.atomic():
            locked = Accreditation.objects.select_for_update().get(pk=pk)
            if locked.lapsed_at or not rules.is_lapsed(today=today, valid_until=locked.valid_until):
                continue
            locked.lapsed_at = timezone.now()
            locked.save(update_fields=["lapsed_at"])
            record(
                actor=None,
                action="accreditation.accreditation.lapsed",
                obj=locked,
                hub=locked.hub,
                summary=f"{locked.code} lapsed after {locked.valid_until:%d %b %Y}",
            )
            owe_email(email_lapsed_task, locked.pk)
            lapsed += 1
    return lapsed
