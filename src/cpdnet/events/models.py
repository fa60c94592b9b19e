from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from cpdnet.accounts.models import SCHOOL_REACH_KINDS, JobRole, OrganisationKind
from cpdnet.programmes.models import Offering
from cpdnet.schools.models import School


class RegistrationStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
    WAITLISTED = "waitlisted", _("On the waiting list")
    CANCELLED = "cancelled", _("Cancelled")


class Registration(models.Model):
    """A place booked on a webinar or event: open registration, no approval, no account."""

    offering = models.ForeignKey(Offering, on_delete=models.PROTECT, related_name="registrations")
    name = models.CharField(max_length=200)
    email = models.EmailField()
    job_role = models.CharField(max_length=30, choices=JobRole.choices)
    school = models.ForeignKey(
        School, on_delete=models.SET_NULL, null=True, blank=True, related_name="registrations"
    )
    organisation_kind = models.CharField(
        _("kind of organisation"),
        max_length=20,
        choices=OrganisationKind.choices,
        default=OrganisationKind.SCHOOL,
    )
    # Asked when the person is not from a school; a school is known by its URN instead.
    organisation_name = models.CharField(_("organisation"), max_length=200, blank=True)
    status = models.CharField(max_length=10, choices=RegistrationStatus.choices, db_index=True)
    # Taken from the register or an attendance file from the meeting service; None: not known.
    attended = models.BooleanField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                "offering", Lower("email"), name="one_registration_per_email_and_event"
            )
        ]
        indexes = [models.Index(fields=["offering", "status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.email} for offering {self.offering_id}"

    @property
    def counts_in_school_reach(self) -> bool:
        return self.organisation_kind in SCHOOL_REACH_KINDS
