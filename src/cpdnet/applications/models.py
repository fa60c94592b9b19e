from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cpdnet.accounts.models import JobRole
from cpdnet.programmes.models import Offering
from cpdnet.schools.models import School

from .references import reference_for


class State(models.TextChoices):
    AWAITING_SCHOOL_APPROVAL = "awaiting_school_approval", _("Waiting for the school to release")
    SUBMITTED = "submitted", _("Submitted: waiting for the hub")
    PLACE_OFFERED = "place_offered", _("Place offered from the waiting list")
    ACCEPTED = "accepted", _("Accepted")
    WAITLISTED = "waitlisted", _("On the waiting list")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    COMPLETED = "completed", _("Completed")
    NOT_COMPLETED = "not_completed", _("Not completed")


# Every allowed move, listed once; services check against it.
TRANSITIONS: dict[str, set[str]] = {
    State.AWAITING_SCHOOL_APPROVAL: {State.SUBMITTED, State.DECLINED, State.WITHDRAWN},
    State.SUBMITTED: {State.ACCEPTED, State.WAITLISTED, State.DECLINED, State.WITHDRAWN},
    State.WAITLISTED: {State.PLACE_OFFERED, State.ACCEPTED, State.DECLINED, State.WITHDRAWN},
    State.PLACE_OFFERED: {State.ACCEPTED, State.DECLINED, State.WITHDRAWN},
    State.ACCEPTED: {State.WITHDRAWN, State.COMPLETED, State.NOT_COMPLETED},
    State.DECLINED: set(),
    State.WITHDRAWN: set(),
    # Back to accepted only when staff undo a completion confirmed by mistake.
    State.COMPLETED: {State.ACCEPTED},
    State.NOT_COMPLETED: {State.ACCEPTED},
}
# States that hold one of the offering's places.
HOLDS_PLACE = (State.ACCEPTED, State.PLACE_OFFERED, State.COMPLETED, State.NOT_COMPLETED)
# States of a participant: someone with a place who takes part in the sessions.
PARTICIPATING = (State.ACCEPTED, State.COMPLETED, State.NOT_COMPLETED)
# States of an application still in play (blocks a second application for the same offering).
ACTIVE = (
    State.AWAITING_SCHOOL_APPROVAL,
    State.SUBMITTED,
    State.WAITLISTED,
    State.PLACE_OFFERED,
    State.ACCEPTED,
)


# The waiting list's order, which offers follow: as hub staff arranged it, then longest waiting.
WAITLIST_ORDER = (
    models.F("waitlist_rank").asc(nulls_last=True),
    models.F("waitlisted_at").asc(nulls_last=True),
    "id",
)


class Application(models.Model):
    """A teacher's request for a place on an offering."""

    offering = models.ForeignKey(Offering, on_delete=models.PROTECT, related_name="applications")
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="applications"
    )
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="applications")
    job_role = models.CharField(max_length=30, choices=JobRole.choices)
    statement = models.TextField(_("why you want to take part"), blank=True)
    approver_email = models.EmailField(
        _("school approver's email"), help_text=_("Head or CPD lead who releases the teacher.")
    )
    # Year two (and on) of a programme over several years: the place this one carries on from.
    continues = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="continued_by",
        help_text=_("The previous year's place on the same programme that this one continues."),
    )
    # Accreditation programmes ask applicants to read the programme's information sheet first.
    information_sheet_acknowledged_at = models.DateTimeField(
        _("read the information sheet"), null=True, blank=True
    )
    state = models.CharField(max_length=28, choices=State.choices, db_index=True)
    # Whether the school has confirmed the applicant works there (their `Affiliation`); only
    # confirmed applications count for the school in insights. Kept here, not joined, so the
    # reach queries stay one filter on the rows they already read.
    school_confirmed = models.BooleanField(default=False)
    state_reason = models.CharField(max_length=300, blank=True)
    submitted_at = models.DateTimeField(auto_now_add=True)
    approval_due_at = models.DateTimeField(null=True, blank=True)
    waitlisted_at = models.DateTimeField(null=True, blank=True)
    # Set for everyone waiting once hub staff reorder the offering's waiting list; those who
    # join later have none and queue after them (`WAITLIST_ORDER`).
    waitlist_rank = models.PositiveIntegerField(null=True, blank=True)
    offer_expires_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["offering", "applicant"],
                condition=models.Q(state__in=ACTIVE),
                name="one_active_application_per_offering",
                violation_error_message=_("You have already applied for this offering."),
            )
        ]
        indexes = [
            models.Index(fields=["offering", "state"]),
            models.Index(fields=["school", "state"]),
            models.Index(fields=["state", "approval_due_at"]),
            models.Index(fields=["state", "offer_expires_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.applicant} for {self.offering}"

    def can_move_to(self, state: str) -> bool:
        return state in TRANSITIONS[self.state]

    @property
    def is_active(self) -> bool:
        return self.state in ACTIVE

    @property
    def reference(self) -> str:
        return reference_for(self.pk) if self.pk else ""


class Transition(models.Model):
    """One change of an application's state: who, when and why."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="history")
    from_state = models.CharField(max_length=28, choices=State.choices, blank=True)
    to_state = models.CharField(max_length=28, choices=State.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    by_label = models.CharField(
        max_length=200, blank=True, help_text=_("Who, where no account acted (approver link).")
    )
    reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.from_state or 'new'} -> {self.to_state}"


class WaitlistMove(models.Model):
    """Hub staff moved someone on an offering's waiting list: from where, to where, and why."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="waitlist_moves"
    )
    from_position = models.PositiveIntegerField()
    to_position = models.PositiveIntegerField()
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.application_id}: {self.from_position} -> {self.to_position}"


class AffiliationState(models.TextChoices):
    CLAIMED = "claimed", _("Claimed by the teacher")
    CONFIRMED = "confirmed", _("Confirmed by the school or hub")
    REJECTED = "rejected", _("The school or hub says they do not work there")


class Affiliation(models.Model):
    """A person's claim to work at a school, until the school or its hub confirms it."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="affiliations"
    )
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="affiliations")
    state = models.CharField(
        max_length=10, choices=AffiliationState.choices, default=AffiliationState.CLAIMED
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "school"], name="one_affiliation_per_school")
        ]
        indexes = [models.Index(fields=["school", "state"])]

    def __str__(self) -> str:
        return f"{self.person} at {self.school} ({self.state})"

    @property
    def is_confirmed(self) -> bool:
        return self.state == AffiliationState.CONFIRMED


class AffiliationChange(models.Model):
    """One change of an affiliation's state: who, when and why."""

    affiliation = models.ForeignKey(Affiliation, on_delete=models.CASCADE, related_name="history")
    from_state = models.CharField(max_length=10, choices=AffiliationState.choices, blank=True)
    to_state = models.CharField(max_length=10, choices=AffiliationState.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    by_label = models.CharField(max_length=200, blank=True)
    reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.from_state or 'new'} -> {self.to_state}"


class VerifiedDomain(models.Model):
    """An email domain a school or a trust has shown hub or national staff it owns: anyone
    with an address on it may release that school's staff."""

    domain = models.CharField(max_length=253)
    school = models.ForeignKey(
        School, on_delete=models.CASCADE, null=True, blank=True, related_name="verified_domains"
    )
    # GIAS gives trusts a name, not a key; every school with this trust name is covered.
    trust_name = models.CharField(max_length=200, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["domain", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(school__isnull=False, trust_name="")
                    | models.Q(school__isnull=True) & ~models.Q(trust_name="")
                ),
                name="verified_domain_for_school_or_trust",
                violation_error_message=_("A domain is verified for a school or for a trust."),
            ),
            models.UniqueConstraint(
                fields=["domain", "school"],
                condition=models.Q(school__isnull=False),
                name="one_domain_per_school",
            ),
            models.UniqueConstraint(
                fields=["domain", "trust_name"],
                condition=models.Q(school__isnull=True),
                name="one_domain_per_trust",
            ),
        ]
        indexes = [models.Index(fields=["trust_name", "domain"])]

    def __str__(self) -> str:
        return f"{self.domain} for {self.school or self.trust_name}"


class ResidentialBooking(models.Model):
    """A participant's stay on a residential: needs and travel, given after the place."""

    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="residential_booking"
    )
    needs_room = models.BooleanField(
        _("needs a bedroom"), default=True, help_text=_("No if travelling in each day.")
    )
    dietary_needs = models.CharField(_("dietary needs"), max_length=300, blank=True)
    access_needs = models.CharField(_("access needs"), max_length=300, blank=True)
    travel_arrangements = models.CharField(_("how you will travel"), max_length=300, blank=True)
    # The joining instructions are owed once per place; empty until sent (the sweep retries).
    joining_instructions_sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Stay of {self.application}"


class LeadParticipantSwap(models.Model):
    """A school replaced one of its lead participants on an offering with a colleague."""

    offering = models.ForeignKey(Offering, on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    leaving = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="+")
    joining = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="+")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["school", "offering"])]

    def __str__(self) -> str:
        return f"{self.leaving} replaced by {self.joining}"


class EnrolmentState(models.TextChoices):
    ENROLLED = "enrolled", _("Enrolled")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# Every allowed move of a school's enrolment, listed once; services check against it.
ENROLMENT_TRANSITIONS: dict[str, set[str]] = {
    EnrolmentState.ENROLLED: {EnrolmentState.WITHDRAWN},
    EnrolmentState.WITHDRAWN: set(),
}


class SchoolEnrolment(models.Model):
    """A school's senior leader enrols the school in an offering counted in schools: the
    school holds a school place and one place for each lead participant it names."""

    offering = models.ForeignKey(
        Offering, on_delete=models.PROTECT, related_name="school_enrolments"
    )
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="enrolments")
    state = models.CharField(
        max_length=10, choices=EnrolmentState.choices, default=EnrolmentState.ENROLLED
    )
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # The senior leader's commitment: who answers for it, and what the school promises.
    senior_leader_name = models.CharField(_("senior leader's name"), max_length=150)
    senior_leader_role = models.CharField(_("senior leader's role"), max_length=150)
    releases_for_sessions = models.BooleanField(
        _("the school releases its lead participants for every session"), default=False
    )
    gives_gap_task_time = models.BooleanField(
        _("the school gives time for the work between sessions"), default=False
    )
    colleagues_reached = models.PositiveIntegerField(
        _("department colleagues reached"), null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["offering", "school"],
                condition=models.Q(state="enrolled"),
                name="one_enrolment_per_school_and_offering",
                violation_error_message=_("This school is already enrolled in this offering."),
            )
        ]
        indexes = [models.Index(fields=["offering", "state"])]

    def __str__(self) -> str:
        return f"{self.school} in {self.offering}"

    def can_move_to(self, state: str) -> bool:
        return state in ENROLMENT_TRANSITIONS[self.state]

    @property
    def is_enrolled(self) -> bool:
        return self.state == EnrolmentState.ENROLLED


class SchoolEnrolmentTransition(models.Model):
    """One change of a school enrolment's state: who, when and why."""

    enrolment = models.ForeignKey(SchoolEnrolment, on_delete=models.CASCADE, related_name="history")
    from_state = models.CharField(max_length=10, choices=EnrolmentState.choices, blank=True)
    to_state = models.CharField(max_length=10, choices=EnrolmentState.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.from_state or 'new'} -> {self.to_state}"


class EnrolmentLeadQuerySet(models.QuerySet):
    def holding_places(self) -> "EnrolmentLeadQuerySet":
        """Leads of enrolled schools still to complete their application: each holds a place."""
        return self.filter(
            enrolment__state=EnrolmentState.ENROLLED,
            application__isnull=True,
            replaced_at__isnull=True,
        )


class EnrolmentLead(models.Model):
    """A lead participant the school named when enrolling. Their place is held for them
    until they complete their application (already released by the school), or until the
    school names a colleague in their place."""

    enrolment = models.ForeignKey(SchoolEnrolment, on_delete=models.CASCADE, related_name="leads")
    full_name = models.CharField(_("full name"), max_length=150)
    email = models.EmailField(_("email address"))
    application = models.OneToOneField(
        Application,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="enrolment_lead",
    )
    # The colleague the school named in this lead's place before they completed their
    # application. `replaced_at` stays set even if that colleague's row is erased.
    replaced_by = models.OneToOneField(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="replaces"
    )
    replaced_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = EnrolmentLeadQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            # A lead replaced may be named again later, so only current leads are unique.
            models.UniqueConstraint(
                fields=["enrolment", "email"],
                condition=models.Q(replaced_at__isnull=True),
                name="one_current_lead_per_email_and_enrolment",
            )
        ]

    def __str__(self) -> str:
        return f"{self.full_name} for {self.enrolment}"

    @property
    def is_waiting(self) -> bool:
        """Named, but has not yet completed their application."""
        return self.application_id is None

    @property
    def is_replaced(self) -> bool:
        return self.replaced_at is not None
