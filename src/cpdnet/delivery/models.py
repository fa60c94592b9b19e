from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cpdnet.applications.models import Application
from cpdnet.programmes.models import Session


class AttendanceStatus(models.TextChoices):
    ATTENDED = "attended", _("Attended")
    ABSENT = "absent", _("Absent")
    EXCUSED = "excused", _("Excused")


class Attendance(models.Model):
    """A participant's mark in one session's register."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attendance")
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="attendance"
    )
    status = models.CharField(max_length=10, choices=AttendanceStatus.choices)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["session__starts_at", "application_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "application"], name="one_mark_per_participant_and_session"
            )
        ]
        indexes = [models.Index(fields=["application", "status"])]

    def __str__(self) -> str:
        return f"{self.application_id} {self.status} at session {self.session_id}"


class AttendanceChange(models.Model):
    """History of a register mark: every first mark and every later correction."""

    attendance = models.ForeignKey(Attendance, on_delete=models.CASCADE, related_name="history")
    from_status = models.CharField(max_length=10, choices=AttendanceStatus.choices, blank=True)
    to_status = models.CharField(max_length=10, choices=AttendanceStatus.choices)
    reason = models.CharField(max_length=300, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status or 'unmarked'} -> {self.to_status}"


class Cascade(models.Model):
    """How a participant's work reached their department: one running record per place."""

    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="cascade"
    )
    colleagues_involved = models.PositiveIntegerField(_("colleagues involved"), default=0)
    classes_reached = models.PositiveIntegerField(_("classes reached"), default=0)
    year_groups = models.CharField(
        _("year groups"), max_length=100, blank=True, help_text=_("For example: Year 7, Year 8")
    )
    notes = models.TextField(_("what happened in your department"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"cascade of application {self.application_id}"


class Certificate(models.Model):
    """Proof of a completed place, checkable by anyone with its verification code."""

    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="certificate"
    )
    code = models.CharField(max_length=20, unique=True)
    hours = models.DecimalField(max_digits=5, decimal_places=1)
    issued_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"certificate {self.code}"
