"""PD Lead accreditation: from an accepted place on an accreditation programme to the register
of accredited PD Leads, and who may lead what.

One `Candidacy` per accepted place follows the state machine below; evidence is drafted in
sections, frozen into a `SubmittedVersion`, marked in `Assessment`s (a first marking and, for a
sample, a blind moderation marking), ratified by national staff, and an award becomes an
`Accreditation` on the register, renewed or lapsed as its validity ends.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cpdnet.applications.models import Application
from cpdnet.delivery.models import StoredFile
from cpdnet.hubs.models import Hub
from cpdnet.programmes.models import Offering, Phase, Programme

# The Accreditation Evidence Document: what the programme says participants learn, in order.
# (key, heading, guidance, suggested words) -- the rules module reads word guidance from here.
EVIDENCE_SECTIONS: tuple[tuple[str, str, str, int], ...] = (
    (
        "rationale",
        "Rationale for the professional development you lead",
        "Why the PD you lead is needed, for whom, and the range of activity it includes.",
        1000,
    ),
    (
        "design_principles",
        "Principles of maths CPD design",
        "The key principles of effective maths CPD design you drew on, and what they meant for "
        "the programme you designed.",
        1000,
    ),
    (
        "evaluation",
        "Critical evaluation of your programme",
        "How well your programme met its intended outcomes, with evidence from the sessions, "
        "attendance and participants' feedback, and what you refined as a result.",
        1500,
    ),
    (
        "knowledge",
        "Knowledge of maths and knowledge of teaching maths",
        "How your PD distinguishes teachers' knowledge of maths from their knowledge of teaching "
        "maths, and addresses both.",
        1000,
    ),
)
SECTION_KEYS = tuple(key for key, *_rest in EVIDENCE_SECTIONS)


class CandidacyState(models.TextChoices):
    DRAFTING = "drafting", _("Writing evidence")
    SUBMITTED = "submitted", _("Submitted: waiting for an assessor")
    ASSESSING = "assessing", _("With an assessor")
    MODERATING = "moderating", _("Being moderated")
    AWAITING_RATIFICATION = "awaiting_ratification", _("Waiting for the awarding decision")
    RESUBMISSION = "resubmission", _("Asked to resubmit")
    ACCREDITED = "accredited", _("Accredited")
    NOT_ACCREDITED = "not_accredited", _("Not accredited")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# Every allowed move, listed once; services check against it (see rules.py for when).
CANDIDACY_TRANSITIONS: dict[str, set[str]] = {
    CandidacyState.DRAFTING: {CandidacyState.SUBMITTED, CandidacyState.WITHDRAWN},
    CandidacyState.SUBMITTED: {CandidacyState.ASSESSING, CandidacyState.WITHDRAWN},
    CandidacyState.ASSESSING: {
        CandidacyState.MODERATING,
        CandidacyState.AWAITING_RATIFICATION,
        CandidacyState.SUBMITTED,  # assessor unassigned before marking
        CandidacyState.WITHDRAWN,
    },
    CandidacyState.MODERATING: {CandidacyState.AWAITING_RATIFICATION, CandidacyState.WITHDRAWN},
    CandidacyState.AWAITING_RATIFICATION: {
        CandidacyState.ACCREDITED,
        CandidacyState.RESUBMISSION,
        CandidacyState.NOT_ACCREDITED,
    },
    CandidacyState.RESUBMISSION: {CandidacyState.SUBMITTED, CandidacyState.WITHDRAWN},
    # An upheld appeal reopens a decision for a fresh awarding step.
    CandidacyState.NOT_ACCREDITED: {CandidacyState.AWAITING_RATIFICATION},
    CandidacyState.ACCREDITED: set(),
    CandidacyState.WITHDRAWN: set(),
}


class Recommendation(models.TextChoices):
    ACCREDIT = "accredit", _("Accredit")
    RESUBMIT = "resubmit", _("Resubmit")
    NOT_ACCREDITED = "not_accredited", _("Not accredited")


class CohortDeadline(models.Model):
    """When a cohort's evidence is due, and how long a resubmission may take."""

    offering = models.OneToOneField(
        Offering, on_delete=models.CASCADE, related_name="accreditation_deadline"
    )
    submit_by = models.DateTimeField(_("evidence due by"))
    resubmission_window_days = models.PositiveSmallIntegerField(
        _("days allowed for a resubmission"), default=42
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"evidence due {self.submit_by:%d %b %Y} for {self.offering}"


class Candidacy(models.Model):
    """A participant's way through accreditation, from an accepted place to an outcome."""

    application = models.OneToOneField(
        Application, on_delete=models.PROTECT, related_name="candidacy"
    )
    candidate = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="candidacies"
    )
    phase = models.CharField(max_length=12, choices=Phase.choices)
    # The hub serving the candidate's school in the programme's network (else the offering's):
    # hub staff see their hub's candidates, and no assessor from it may mark them.
    hub = models.ForeignKey(
        Hub, on_delete=models.SET_NULL, null=True, blank=True, related_name="candidacies"
    )
    state = models.CharField(
        max_length=24, choices=CandidacyState.choices, default=CandidacyState.DRAFTING
    )
    # Offerings the candidate facilitates that their evidence cites (sessions, attendance and
    # anonymised feedback counts are read from these).
    led_offerings = models.ManyToManyField(Offering, blank=True, related_name="+")
    extended_to = models.DateTimeField(_("extension until"), null=True, blank=True)
    extension_reason = models.CharField(max_length=300, blank=True)
    resubmit_by = models.DateTimeField(null=True, blank=True)
    pg_cert_opted_in_at = models.DateTimeField(_("joined the PG Cert route"), null=True, blank=True)
    pg_cert_fee = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        verbose_name_plural = "candidacies"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "phase"])]

    def __str__(self) -> str:
        return f"candidacy {self.pk} ({self.state})"

    def can_move_to(self, state: str) -> bool:
        return state in CANDIDACY_TRANSITIONS[self.state]


class CandidacyTransition(models.Model):
    """One change of a candidacy's state: who, when and why."""

    candidacy = models.ForeignKey(Candidacy, on_delete=models.CASCADE, related_name="history")
    from_state = models.CharField(max_length=24, choices=CandidacyState.choices, blank=True)
    to_state = models.CharField(max_length=24, choices=CandidacyState.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.from_state or 'new'} -> {self.to_state}"


class EvidenceDraft(models.Model):
    """The candidate's working text for one section, saved as they type (autosave)."""

    candidacy = models.ForeignKey(Candidacy, on_delete=models.CASCADE, related_name="drafts")
    section = models.CharField(max_length=30)
    text = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["candidacy", "section"], name="one_draft_per_section")
        ]

    def __str__(self) -> str:
        return f"draft {self.section} of candidacy {self.candidacy_id}"


class EvidenceFile(StoredFile):
    """A file attached to the evidence document (checked by `delivery.uploads`)."""

    candidacy = models.ForeignKey(Candidacy, on_delete=models.CASCADE, related_name="files")
    section = models.CharField(max_length=30, blank=True)
    title = models.CharField(_("title"), max_length=200)
    # Files cited by a submitted version are kept as they were; removing one only hides it
    # from the draft.
    removed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]


class SubmittedVersion(models.Model):
    """A frozen copy of the evidence document as submitted: never changed once written."""

    candidacy = models.ForeignKey(Candidacy, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField()  # 1, or 2 for the one resubmission
    sections = models.JSONField()  # {section key: text}
    files = models.ManyToManyField(EvidenceFile, blank=True, related_name="+")
    submitted_at = models.DateTimeField(auto_now_add=True)
    late_by_extension = models.BooleanField(default=False)
    # Set in the same step as the first save; any later save is refused (see save()).
    frozen = models.BooleanField(default=True, editable=False)

    class Meta:
        ordering = ["candidacy", "number"]
        constraints = [
            models.UniqueConstraint(fields=["candidacy", "number"], name="one_version_per_number")
        ]

    def __str__(self) -> str:
        return f"version {self.number} of candidacy {self.candidacy_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("A submitted version is frozen and cannot change.")
        super().save(*args, **kwargs)


class AssessmentRole(models.TextChoices):
    FIRST = "first", _("First marking")
    MODERATION = "moderation", _("Moderation (blind second marking)")


class Assessment(models.Model):
    """One assessor's marking of one submitted version."""

    version = models.ForeignKey(
        SubmittedVersion, on_delete=models.CASCADE, related_name="assessments"
    )
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assessments"
    )
    role = models.CharField(max_length=12, choices=AssessmentRole.choices)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    assigned_at = models.DateTimeField(auto_now_add=True)
    recommendation = models.CharField(max_length=16, choices=Recommendation.choices, blank=True)
    summary = models.TextField(_("overall feedback"), blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["assigned_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "role"], name="one_assessment_per_role"),
            models.UniqueConstraint(
                fields=["version", "assessor"], name="one_assessment_per_assessor"
            ),
        ]
        indexes = [models.Index(fields=["assessor", "completed_at"])]

    def __str__(self) -> str:
        return f"{self.get_role_display()} of version {self.version_id}"


class SectionMark(models.Model):
    """An assessor's mark for one section against the published criteria."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="marks")
    section = models.CharField(max_length=30)
    met = models.BooleanField(null=True)  # None until marked
    feedback = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assessment", "section"], name="one_mark_per_section")
        ]

    def __str__(self) -> str:
        return f"{self.section}: {self.met}"


class ModerationDecision(models.Model):
    """Where first marking and moderation disagree, the decision that settles it."""

    version = models.OneToOneField(
        SubmittedVersion, on_delete=models.CASCADE, related_name="moderation_decision"
    )
    recommendation = models.CharField(max_length=16, choices=Recommendation.choices)
    reason = models.TextField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    decided_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"moderation decision on version {self.version_id}"


class AppealOutcome(models.TextChoices):
    PENDING = "pending", _("Waiting for a decision")
    UPHELD = "upheld", _("Upheld")
    DISMISSED = "dismissed", _("Dismissed")


class Appeal(models.Model):
    """An appeal against an outcome, recorded with its outcome."""

    candidacy = models.ForeignKey(Candidacy, on_delete=models.CASCADE, related_name="appeals")
    grounds = models.TextField()
    lodged_at = models.DateTimeField(auto_now_add=True)
    outcome = models.CharField(
        max_length=10, choices=AppealOutcome.choices, default=AppealOutcome.PENDING
    )
    outcome_reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-lodged_at", "-id"]

    def __str__(self) -> str:
        return f"appeal {self.pk} ({self.outcome})"


class Accreditation(models.Model):
    """An accredited PD Lead: verifiable by its code, listed on the register, valid for a
    period and renewed or lapsed after it."""

    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="accreditations"
    )
    candidacy = models.OneToOneField(
        Candidacy, on_delete=models.PROTECT, null=True, blank=True, related_name="accreditation"
    )
    phase = models.CharField(max_length=12, choices=Phase.choices)
    hub = models.ForeignKey(
        Hub, on_delete=models.SET_NULL, null=True, blank=True, related_name="accreditations"
    )
    code = models.CharField(max_length=20, unique=True)  # "PDL-" and 12 unambiguous characters
    accredited_on = models.DateField()
    valid_until = models.DateField(db_index=True)
    on_public_register = models.BooleanField(_("listed on the public register"), default=False)
    lapsed_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawal_reason = models.CharField(max_length=300, blank=True)
    reminders_sent = models.JSONField(default=list, blank=True)  # days-before keys already sent
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-accredited_on", "-id"]
        indexes = [
            models.Index(fields=["phase", "hub", "valid_until"]),
            models.Index(fields=["on_public_register", "phase"]),
        ]

    def __str__(self) -> str:
        return self.code


class RenewalState(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted: waiting for review")
    RENEWED = "renewed", _("Renewed")
    RETURNED = "returned", _("Returned: more evidence needed")


class Renewal(models.Model):
    """Evidence of continued PD leadership, reviewed light-touch to extend an accreditation."""

    accreditation = models.ForeignKey(
        Accreditation, on_delete=models.CASCADE, related_name="renewals"
    )
    evidence = models.TextField(_("your PD leadership since accreditation"))
    led_offerings = models.ManyToManyField(Offering, blank=True, related_name="+")
    state = models.CharField(
        max_length=10, choices=RenewalState.choices, default=RenewalState.SUBMITTED
    )
    submitted_at = models.DateTimeField(auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]

    def __str__(self) -> str:
        return f"renewal {self.pk} of {self.accreditation_id} ({self.state})"


class PDLeadershipEvidence(models.Model):
    """What an applicant to an accreditation programme tells us of the PD they already lead
    beyond their own school (the programme's eligibility rule reads it)."""

    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="pd_leadership"
    )
    # Comma-separated keys from rules.PD_ROLES (Work Group Lead, Mastery Specialist, ...).
    pd_roles = models.CharField(max_length=200)
    pd_led = models.TextField(_("the professional development you lead"))
    led_for = models.TextField(_("who it is for"))
    beyond_own_school = models.BooleanField(_("you lead PD for teachers beyond your school"))
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"PD leadership of application {self.application_id}"


class EndorsementDecision(models.TextChoices):
    ENDORSED = "endorsed", _("Endorsed")
    NOT_ENDORSED = "not_endorsed", _("Not endorsed")


class Endorsement(models.Model):
    """The hub lead's endorsement of an application to an accreditation programme, needed as
    well as the school's release before national staff select."""

    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="endorsement"
    )
    hub = models.ForeignKey(Hub, on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(max_length=14, choices=EndorsementDecision.choices)
    reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    decided_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.decision} for application {self.application_id}"


class FacilitatorRule(models.TextChoices):
    ANYONE = "anyone", _("No accreditation needed")
    ACCREDITED = "accredited", _("Accredited PD Lead for the programme's phase")
    ACCREDITED_OR_MENTORED = (
        "accredited_or_mentored",
        _("Accredited PD Lead, or in training with a named accredited mentor"),
    )


class FacilitatorRequirement(models.Model):
    """Who may lead a programme's offerings."""

    programme = models.OneToOneField(
        Programme, on_delete=models.CASCADE, related_name="facilitator_requirement"
    )
    rule = models.CharField(max_length=24, choices=FacilitatorRule.choices)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.programme_id}: {self.rule}"


class Mentorship(models.Model):
    """A facilitator in training (a candidate) leading with a named accredited mentor."""

    trainee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentorships"
    )
    mentor = models.ForeignKey(Accreditation, on_delete=models.CASCADE, related_name="mentees")
    phase = models.CharField(max_length=12, choices=Phase.choices)
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["trainee", "phase"],
                condition=models.Q(ended_on__isnull=True),
                name="one_current_mentorship_per_phase",
            )
        ]

    def __str__(self) -> str:
        return f"mentorship of {self.trainee_id} by {self.mentor_id}"
