"""Personal data in applications: what a teacher wrote, their approver's address, and the
reasons in the history. Each application itself stays, anonymised, because reach, equity and
impact are counted from it."""

from django.db.models import Q

from cpdnet.audit.services import redact_entries_about
from cpdnet.privacy.registry import Person, PersonalData, RetentionRun, register

from .models import (
    ACTIVE,
    Affiliation,
    AffiliationChange,
    Application,
    EnrolmentLead,
    LeadParticipantSwap,
    ResidentialBooking,
    SchoolEnrolment,
    SchoolEnrolmentTransition,
    Transition,
    WaitlistMove,
)
from .selectors import mask_email
from .services import give_up_held_place, withdraw_application

# What hubs see on an application withdrawn because its person erased their account.
ERASED_REASON = "Account erased"
ERASED = "the person's account was erased"


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def _by(transition: Transition | AffiliationChange, person: Person) -> str:
    if transition.by_id == person.user.pk:
        return "you"
    return transition.by_label or ("staff" if transition.by_id else "")


@register
class Applications(PersonalData):
    key = "applications.applications"
    label = "Applications for places and the history of each"
    fields = (
        "applications.Application.applicant",
        "applications.Application.statement",
        "applications.Application.approver_email",
        "applications.Application.state_reason",
        "applications.Transition.by",
        "applications.Transition.by_label",
        "applications.Transition.reason",
    )
    retention_period = "applications"
    kept_anonymised = (
        "Each application's offering, school, job role, states and dates, so that reach, "
        "equity and impact figures stay the same."
    )
    erase_order = 10

    def export(self, person: Person) -> dict:
        applications = (
            Application.objects.filter(applicant=person.user)
            .select_related("offering__programme", "offering__hub", "offering__provider", "school")
            .prefetch_related("history")
            .order_by("submitted_at", "id")
        )
        return {
            "applications": [
                {
                    "id": application.pk,
                    "programme": application.offering.programme.title,
                    "hub": application.offering.runner_name,
                    "academic_year": application.offering.academic_year_label,
                    "school": {"urn": application.school.urn, "name": application.school.name},
                    "job_role": application.job_role,
                    "statement": application.statement,
                    # The approver's own address is theirs: the teacher sees it masked.
                    "approver_email": mask_email(application.approver_email),
                    "state": application.state,
                    "state_label": str(application.get_state_display()),
                    "state_reason": application.state_reason,
                    "submitted_at": _iso(application.submitted_at),
                    "information_sheet_acknowledged_at": _iso(
                        application.information_sheet_acknowledged_at
                    ),
                    "updated_at": _iso(application.updated_at),
                    "history": [
                        {
                            "from_state": transition.from_state,
                            "to_state": transition.to_state,
                            "by": _by(transition, person),
                            "reason": transition.reason,
                            "at": _iso(transition.created_at),
                        }
                        for transition in application.history.all()
                    ],
                }
                for application in applications
            ]
        }

    def erase(self, person: Person) -> dict[str, int]:
        """Blank what the person wrote and was told, then withdraw what is still active, as
        DESIGN.md decides: without an email, and offering each freed place to the waiting
        list."""
        mine = Application.objects.filter(applicant=person.user)
        ids = list(mine.values_list("pk", flat=True))
        kept = mine.update(statement="", approver_email="", state_reason="")
        Transition.objects.filter(application__in=ids).update(reason="", by_label="")
        # The person as a school approver, on other teachers' applications.
        Application.objects.filter(approver_email__iexact=person.email).update(approver_email="")
        Transition.objects.filter(by_label__iexact=person.email).update(by_label="")
        withdrawn = 0
        for application in mine.filter(state__in=ACTIVE):
            withdraw_application(
                application=application, by=person.user, reason=ERASED_REASON, notify=False
            )
            withdrawn += 1
        return {
            "applications_kept": kept,
            "applications_withdrawn": withdrawn,
            "application_audit_entries_redacted": redact_entries_about(
                Application, ids, why=ERASED
            ),
        }

    def apply_retention(self, run: RetentionRun) -> int:
        ended = run.cutoff("applications").date()
        applications = Application.objects.filter(offering__ends_on__lt=ended).exclude(
            statement="", approver_email="", state_reason=""
        )

        def anonymise(batch) -> None:
            ids = list(batch.values_list("pk", flat=True))
            batch.update(statement="", approver_email="", state_reason="")
            redact_entries_about(Application, ids, why="kept for its period")

        history = Transition.objects.filter(application__offering__ends_on__lt=ended).exclude(
            reason="", by_label=""
        )
        return run.in_batches(applications, anonymise) + run.in_batches(
            history, lambda batch: batch.update(reason="", by_label="")
        )


@register
class Affiliations(PersonalData):
    key = "applications.affiliations"
    label = "Claims to work at a school, and who confirmed or rejected each and why"
    fields = (
        "applications.AffiliationChange.by_label",
        "applications.AffiliationChange.reason",
    )
    kept_anonymised = "Each claim's school, states and dates."
    erase_order = 10

    def export(self, person: Person) -> dict:
        affiliations = (
            Affiliation.objects.filter(person=person.user)
            .select_related("school")
            .prefetch_related("history")
            .order_by("created_at", "id")
        )
        return {
            "school_affiliations": [
                {
                    "school": {"urn": affiliation.school.urn, "name": affiliation.school.name},
                    "state": affiliation.state,
                    "history": [
                        {
                            "from_state": change.from_state,
                            "to_state": change.to_state,
                            "by": _by(change, person),
                            "reason": change.reason,
                            "at": _iso(change.created_at),
                        }
                        for change in affiliation.history.all()
                    ],
                }
                for affiliation in affiliations
            ]
        }

    def erase(self, person: Person) -> dict[str, int]:
        blanked = AffiliationChange.objects.filter(affiliation__person=person.user).update(
            reason="", by_label=""
        )
        # The person as the one who confirmed or rejected other people's claims.
        blanked += AffiliationChange.objects.filter(by_label__iexact=person.email).update(
            by_label=""
        )
        return {"affiliation_changes_blanked": blanked}


@register
class LeadParticipantSwaps(PersonalData):
    key = "applications.lead_participant_swaps"
    label = "Why a school replaced a lead participant"
    fields = ("applications.LeadParticipantSwap.reason",)
    kept_anonymised = "Who left and who joined, on which offering, and when."
    erase_order = 10

    def export(self, person: Person) -> dict:
        swaps = LeadParticipantSwap.objects.filter(
            Q(leaving__applicant=person.user) | Q(joining__applicant=person.user)
        ).select_related("offering__programme", "leaving")
        return {
            "lead_participant_swaps": [
                {
                    "programme": swap.offering.programme.title,
                    "you_were": (
                        "leaving" if swap.leaving.applicant_id == person.user.pk else "joining"
                    ),
                    "reason": swap.reason,
                    "at": _iso(swap.created_at),
                }
                for swap in swaps.order_by("created_at", "id")
            ]
        }

    def erase(self, person: Person) -> dict[str, int]:
        blanked = LeadParticipantSwap.objects.filter(
            Q(leaving__applicant=person.user) | Q(joining__applicant=person.user)
        ).update(reason="")
        return {"lead_participant_swaps_blanked": blanked}


@register
class WaitlistMoves(PersonalData):
    key = "applications.waitlist_moves"
    label = "Why hub staff moved someone on a waiting list"
    fields = ("applications.WaitlistMove.reason",)
    kept_anonymised = "From which position to which, on which offering, and when."
    erase_order = 10

    def export(self, person: Person) -> dict:
        moves = WaitlistMove.objects.filter(application__applicant=person.user).select_related(
            "application__offering__programme"
        )
        return {
            "waiting_list_moves": [
                {
                    "programme": move.application.offering.programme.title,
                    "from_position": move.from_position,
                    "to_position": move.to_position,
                    "reason": move.reason,
                    "at": _iso(move.created_at),
                }
                for move in moves.order_by("created_at", "id")
            ]
        }

    def erase(self, person: Person) -> dict[str, int]:
        blanked = WaitlistMove.objects.filter(application__applicant=person.user).update(reason="")
        return {"waiting_list_moves_blanked": blanked}


RESIDENTIAL_NEEDS = {"dietary_needs": "", "access_needs": "", "travel_arrangements": ""}


@register
class ResidentialBookings(PersonalData):
    key = "applications.residential_bookings"
    label = "Stays on residentials: dietary and access needs (sensitive) and travel"
    fields = (
        "applications.ResidentialBooking.dietary_needs",
        "applications.ResidentialBooking.access_needs",
        "applications.ResidentialBooking.travel_arrangements",
    )
    retention_period = "applications"
    kept_anonymised = "Whether a bedroom was needed, and when joining instructions were sent."
    erase_order = 10

    def export(self, person: Person) -> dict:
        bookings = (
            ResidentialBooking.objects.filter(application__applicant=person.user)
            .select_related("application__offering__programme")
            .order_by("created_at", "id")
        )
        return {
            "residential_bookings": [
                {
                    "application_id": booking.application_id,
                    "programme": booking.application.offering.programme.title,
                    "needs_room": booking.needs_room,
                    "dietary_needs": booking.dietary_needs,
                    "access_needs": booking.access_needs,
                    "travel_arrangements": booking.travel_arrangements,
                    "updated_at": _iso(booking.updated_at),
                }
                for booking in bookings
            ]
        }

    def erase(self, person: Person) -> dict[str, int]:
        blanked = ResidentialBooking.objects.filter(application__applicant=person.user).update(
            **RESIDENTIAL_NEEDS
        )
        return {"residential_bookings_blanked": blanked}

    def apply_retention(self, run: RetentionRun) -> int:
        ended = run.cutoff("applications").date()
        old = ResidentialBooking.objects.filter(application__offering__ends_on__lt=ended).exclude(
            **RESIDENTIAL_NEEDS
        )
        return run.in_batches(old, lambda batch: batch.update(**RESIDENTIAL_NEEDS))


@register
class SchoolEnrolments(PersonalData):
    key = "applications.school_enrolments"
    label = (
        "Schools enrolled by a senior leader: the senior leader's name and role, the lead "
        "participants named (name and email), and why an enrolment was withdrawn"
    )
    fields = (
        "applications.SchoolEnrolment.enrolled_by",
        "applications.SchoolEnrolment.senior_leader_name",
        "applications.SchoolEnrolment.senior_leader_role",
        "applications.SchoolEnrolmentTransition.by",
        "applications.SchoolEnrolmentTransition.reason",
        "applications.EnrolmentLead.full_name",
        "applications.EnrolmentLead.email",
    )
    retention_period = "applications"
    kept_anonymised = (
        "Each enrolment's offering, school, commitment, states, dates and colleagues reached, "
        "and how many lead participants it named."
    )
    erase_order = 10

    def _named(self, person: Person):
        return EnrolmentLead.objects.filter(email__iexact=person.email)

    def export(self, person: Person) -> dict:
        enrolled = (
            SchoolEnrolment.objects.filter(enrolled_by=person.user)
            .select_related("offering__programme", "school")
            .prefetch_related("leads")
            .order_by("created_at", "id")
        )
        named = self._named(person).select_related(
            "enrolment__offering__programme", "enrolment__school"
        )
        return {
            "school_enrolments_made": [
                {
                    "programme": enrolment.offering.programme.title,
                    "school": {"urn": enrolment.school.urn, "name": enrolment.school.name},
                    "senior_leader": enrolment.senior_leader_name,
                    "senior_leader_role": enrolment.senior_leader_role,
                    "state": enrolment.state,
                    "lead_participants": [
                        {"name": lead.full_name, "email": lead.email}
                        for lead in enrolment.leads.all()
                    ],
                    "at": _iso(enrolment.created_at),
                }
                for enrolment in enrolled
            ],
            "named_as_lead_participant": [
                {
                    "programme": lead.enrolment.offering.programme.title,
                    "school": lead.enrolment.school.name,
                    "name": lead.full_name,
                    "email": lead.email,
                    "at": _iso(lead.created_at),
                    "replaced_at": _iso(lead.replaced_at),
                }
                for lead in named.order_by("created_at", "id")
            ],
        }

    def erase(self, person: Person) -> dict[str, int]:
        """Blank the person as a named lead and as the enrolling leader; a place still held
        for them is given up and offered to the waiting list."""
        waiting = self._named(person).filter(application__isnull=True, replaced_at__isnull=True)
        for lead in waiting.select_related("enrolment"):
            give_up_held_place(lead=lead)
        named = self._named(person).update(full_name="", email=f"erased-{person.user.pk}@invalid")
        enrolments = SchoolEnrolment.objects.filter(enrolled_by=person.user)
        ids = list(enrolments.values_list("pk", flat=True))
        blanked = enrolments.update(senior_leader_name="", senior_leader_role="")
        SchoolEnrolmentTransition.objects.filter(enrolment__in=ids).update(reason="")
        return {
            "enrolment_leads_blanked": named,
            "school_enrolments_blanked": blanked,
            "school_enrolment_audit_entries_redacted": redact_entries_about(
                SchoolEnrolment, ids, why=ERASED
            ),
        }

    def apply_retention(self, run: RetentionRun) -> int:
        ended = run.cutoff("applications").date()
        old = SchoolEnrolment.objects.filter(offering__ends_on__lt=ended).exclude(
            senior_leader_name="", senior_leader_role=""
        )
        leads = EnrolmentLead.objects.filter(enrolment__offering__ends_on__lt=ended).exclude(
            full_name=""
        )
        return run.in_batches(
            old, lambda batch: batch.update(senior_leader_name="", senior_leader_role="")
        ) + run.in_batches(
            leads,
            lambda batch: [
                EnrolmentLead.objects.filter(pk=lead_id).update(
                    full_name="", email=f"erased-lead-{lead_id}@invalid"
                )
                for lead_id in batch.values_list("pk", flat=True)
            ],
        )
