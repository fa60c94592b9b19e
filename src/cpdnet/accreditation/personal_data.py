"""Personal data in accreditation: what a candidate wrote and was told (evidence, feedback,
appeals, renewals), what they told us of the PD they lead when applying, their hub lead's
endorsement, and their accreditation on the register. Erasure blanks the words and files and
withdraws the accreditation, so the code no longer names anyone; states, dates and outcomes
stay for the programme's figures."""

from django.db.models import Q
from django.utils import timezone

from cpdnet.applications.models import Application
from cpdnet.delivery.uploads import delete_stored
from cpdnet.privacy.registry import Person, PersonalData, register

from .models import (
    Accreditation,
    Appeal,
    Assessment,
    Candidacy,
    CandidacyTransition,
    Endorsement,
    EvidenceDraft,
    EvidenceFile,
    ModerationDecision,
    PDLeadershipEvidence,
    Renewal,
    SectionMark,
    SubmittedVersion,
)

ERASED = "Removed at the holder's request"


def _iso(value) -> str | None:
    return value.isoformat() if value else None


@register
class AccreditationEvidence(PersonalData):
    key = "accreditation.evidence"
    label = (
        "PD Lead accreditation: the evidence document, its files and submitted versions, the "
        "assessors' marks and feedback on it, moderation and appeals"
    )
    fields = (
        "accreditation.Candidacy.extension_reason",
        "accreditation.CandidacyTransition.reason",
        "accreditation.EvidenceDraft.text",
        "accreditation.EvidenceFile.title",
        "accreditation.EvidenceFile.original_name",
        "accreditation.EvidenceFile.stored_name",
        "accreditation.EvidenceFile.content_type",
        "accreditation.SubmittedVersion.sections",
        "accreditation.Assessment.summary",
        "accreditation.SectionMark.feedback",
        "accreditation.ModerationDecision.reason",
        "accreditation.Appeal.grounds",
        "accreditation.Appeal.outcome_reason",
    )
    kept_anonymised = (
        "Each candidacy's phase, hub, states and dates, the assessors' met or not-yet-met marks "
        "and recommendations, and the PG Cert fee recorded, for the programme's figures."
    )
    erase_order = 10

    def export(self, person: Person) -> dict:
        candidacies = list(
            Candidacy.objects.filter(candidate=person.user)
            .select_related("application__offering__programme")
            .prefetch_related("history", "drafts", "versions", "appeals", "files")
            .order_by("created_at", "id")
        )
        feedback = self._completed_feedback(person) if candidacies else {}
        return {
            "accreditation_candidacies": [
                {
                    "programme": candidacy.application.offering.programme.title,
                    "phase": candidacy.phase,
                    "state": candidacy.state,
                    "extended_to": _iso(candidacy.extended_to),
                    "extension_reason": candidacy.extension_reason,
                    "pg_cert_opted_in_at": _iso(candidacy.pg_cert_opted_in_at),
                    "pg_cert_fee": str(candidacy.pg_cert_fee) if candidacy.pg_cert_fee else None,
                    "history": [
                        {
                            "from_state": change.from_state,
                            "to_state": change.to_state,
                            "reason": change.reason,
                            "at": _iso(change.created_at),
                        }
                        for change in candidacy.history.all()
                    ],
                    "drafts": {draft.section: draft.text for draft in candidacy.drafts.all()},
                    "files": [
                        {
                            "title": evidence_file.title,
                            "file_name": evidence_file.original_name,
                            "added_at": _iso(evidence_file.created_at),
                        }
                        for evidence_file in candidacy.files.all()
                    ],
                    "submitted_versions": [
                        {
                            "number": version.number,
                            "submitted_at": _iso(version.submitted_at),
                            "sections": version.sections,
                            "assessments": feedback.get(version.pk, []),
                        }
                        for version in candidacy.versions.all()
                    ],
                    "appeals": [
                        {
                            "grounds": appeal.grounds,
                            "outcome": appeal.outcome,
                            "outcome_reason": appeal.outcome_reason,
                            "lodged_at": _iso(appeal.lodged_at),
                        }
                        for appeal in candidacy.appeals.all()
                    ],
                }
                for candidacy in candidacies
            ]
        }

    def _completed_feedback(self, person: Person) -> dict[int, list[dict]]:
        # Only completed markings: what the candidate is shown, not work in progress.
        assessments = Assessment.objects.filter(
            version__candidacy__candidate=person.user, completed_at__isnull=False
        ).prefetch_related("marks")
        by_version: dict[int, list[dict]] = {}
        for assessment in assessments:
            by_version.setdefault(assessment.version_id, []).append(
                {
                    "role": assessment.role,
                    "recommendation": assessment.recommendation,
                    "summary": assessment.summary,
                    "marks": {
                        mark.section: {"met": mark.met, "feedback": mark.feedback}
                        for mark in assessment.marks.all()
                    },
                }
            )
        return by_version

    def erase(self, person: Person) -> dict[str, int]:
        mine = Candidacy.objects.filter(candidate=person.user)
        files = EvidenceFile.objects.filter(candidacy__in=mine)
        for stored_name in files.exclude(stored_name="").values_list("stored_name", flat=True):
            delete_stored(stored_name)
        versions = SubmittedVersion.objects.filter(candidacy__in=mine)
        assessments = Assessment.objects.filter(version__in=versions)
        return {
            "candidacy_reasons_blanked": mine.exclude(extension_reason="").update(
                extension_reason=""
            ),
            "candidacy_history_reasons_blanked": CandidacyTransition.objects.filter(
                candidacy__in=mine
            )
            .exclude(reason="")
            .update(reason=""),
            "evidence_drafts_deleted": EvidenceDraft.objects.filter(candidacy__in=mine).delete()[0],
            "evidence_files_blanked": files.update(
                title=ERASED, original_name="", stored_name="", removed_at=timezone.now()
            ),
            # A version is frozen against edits, not against erasure: an UPDATE, not save().
            "submitted_versions_blanked": versions.update(sections={}),
            "assessment_summaries_blanked": assessments.exclude(summary="").update(summary=""),
            "section_feedback_blanked": SectionMark.objects.filter(assessment__in=assessments)
            .exclude(feedback="")
            .update(feedback=""),
            "moderation_reasons_blanked": ModerationDecision.objects.filter(
                version__in=versions
            ).update(reason=ERASED),
            "appeals_blanked": Appeal.objects.filter(candidacy__in=mine).update(
                grounds=ERASED, outcome_reason=""
            ),
        }


@register
class AccreditationsHeld(PersonalData):
    key = "accreditation.accreditations"
    label = (
        "Accreditations as a PD Lead: the code, validity, register listing and renewals with "
        "their evidence and review notes"
    )
    fields = (
        "accreditation.Accreditation.withdrawal_reason",
        "accreditation.Accreditation.reminders_sent",
        "accreditation.Renewal.evidence",
        "accreditation.Renewal.review_note",
    )
    kept_anonymised = (
        "The accreditation's phase, hub and dates, marked withdrawn, so that a check of its "
        "code says it was withdrawn and names no one."
    )
    erase_order = 10

    def export(self, person: Person) -> dict:
        accreditations = Accreditation.objects.filter(holder=person.user).prefetch_related(
            "renewals"
        )
        return {
            "accreditations": [
                {
                    "code": accreditation.code,
                    "phase": accreditation.phase,
                    "accredited_on": _iso(accreditation.accredited_on),
                    "valid_until": _iso(accreditation.valid_until),
                    "on_public_register": accreditation.on_public_register,
                    "lapsed_at": _iso(accreditation.lapsed_at),
                    "withdrawn_at": _iso(accreditation.withdrawn_at),
                    "renewals": [
                        {
                            "evidence": renewal.evidence,
                            "state": renewal.state,
                            "review_note": renewal.review_note,
                            "submitted_at": _iso(renewal.submitted_at),
                        }
                        for renewal in accreditation.renewals.all()
                    ],
                }
                for accreditation in accreditations
            ]
        }

    def erase(self, person: Person) -> dict[str, int]:
        held = Accreditation.objects.filter(holder=person.user)
        renewals = Renewal.objects.filter(accreditation__in=held).update(
            evidence=ERASED, review_note=""
        )
        withdrawn = held.filter(withdrawn_at__isnull=True).update(
            withdrawn_at=timezone.now(), on_public_register=False
        )
        held.update(withdrawal_reason=ERASED, reminders_sent=[])
        return {"accreditations_withdrawn": withdrawn, "renewals_blanked": renewals}


@register
class PDLeadershipApplications(PersonalData):
    key = "accreditation.pd_leadership"
    label = (
        "What an applicant to an accreditation programme told us of the PD they lead, and "
        "their hub lead's endorsement"
    )
    fields = (
        "accreditation.PDLeadershipEvidence.pd_roles",
        "accreditation.PDLeadershipEvidence.pd_led",
        "accreditation.PDLeadershipEvidence.led_for",
        "accreditation.Endorsement.reason",
    )
    kept_anonymised = "Whether the applicant led PD beyond their school, and the endorsement."
    erase_order = 10

    def export(self, person: Person) -> dict:
        # One query: the person's applications with what they told us and the endorsement.
        applications = list(
            Application.objects.filter(applicant=person.user)
            .filter(Q(pd_leadership__isnull=False) | Q(endorsement__isnull=False))
            .select_related("pd_leadership", "endorsement")
        )
        evidence = [a.pd_leadership for a in applications if hasattr(a, "pd_leadership")]
        endorsements = [a.endorsement for a in applications if hasattr(a, "endorsement")]
        return {
            "pd_leadership": [
                {
                    "application_id": row.application_id,
                    "pd_roles": row.pd_roles,
                    "pd_led": row.pd_led,
                    "led_for": row.led_for,
                    "beyond_own_school": row.beyond_own_school,
                }
                for row in evidence
            ],
            "hub_endorsements": [
                {
                    "application_id": row.application_id,
                    "decision": row.decision,
                    "reason": row.reason,
                    "decided_at": _iso(row.decided_at),
                }
                for row in endorsements
            ],
        }

    def erase(self, person: Person) -> dict[str, int]:
        evidence = PDLeadershipEvidence.objects.filter(application__applicant=person.user)
        endorsements = Endorsement.objects.filter(application__applicant=person.user).exclude(
            reason=""
        )
        return {
            "pd_leadership_blanked": evidence.update(pd_roles="", pd_led="", led_for=""),
            "endorsement_reasons_blanked": endorsements.update(reason=""),
        }
