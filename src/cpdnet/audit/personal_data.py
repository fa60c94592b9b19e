"""Personal data in the audit trail and Django's admin log: redacted, never deleted."""

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, TextField
from django.db.models.functions import Cast

from cpdnet.privacy.registry import Person, PersonalData, RetentionRun, register

from .models import AuditEntry
from .services import redact_entries

REDACTED_REPR = "(details removed)"


def _entries_about(person: Person):
    user = person.user
    mentions = Q(summary__icontains=person.email) | Q(data_text__icontains=person.email)
    # A name matches by chance when short, and would redact half the trail.
    if len(person.full_name) >= 5:
        mentions |= Q(summary__icontains=person.full_name)
    about = Q(object_type=user._meta.label_lower, object_id=str(user.pk))
    return AuditEntry.objects.annotate(data_text=Cast("data", TextField())).filter(mentions | about)


@register
class AuditTrail(PersonalData):
    key = "audit.entries"
    label = "Audit trail entries that name a person"
    fields = ("audit.AuditEntry.summary", "audit.AuditEntry.data", "audit.AuditEntry.actor")
    retention_period = "audit"
    kept_anonymised = (
        "Every entry: who acted (a staff account), the action, the object, the hub, the time "
        "and the numbers."
    )
    # After the other apps, which write entries of their own as they erase.
    erase_order = 90

    def export(self, person: Person) -> dict:
        return {
            "audit_entries_about_you": [
                {
                    "action": entry.action,
                    "summary": entry.summary,
                    "at": entry.created_at.isoformat(),
                }
                for entry in _entries_about(person).order_by("created_at", "id")
            ]
        }

    def erase(self, person: Person) -> dict[str, int]:
        return {
            "audit_entries_redacted": redact_entries(
                _entries_about(person), why="the person's account was erased"
            )
        }

    def apply_retention(self, run: RetentionRun) -> int:
        old = AuditEntry.objects.filter(
            created_at__lt=run.cutoff("audit"), redacted_at__isnull=True
        )
        return run.in_batches(old, lambda batch: redact_entries(batch, why="kept for its period"))


@register
class AdminLog(PersonalData):
    key = "audit.admin_log"
    label = "Django admin log entries that name a person"
    fields = ("admin.LogEntry.object_repr", "admin.LogEntry.change_message", "admin.LogEntry.user")
    retention_period = "audit"
    kept_anonymised = "Which staff account changed which object, and when."
    erase_order = 90

    def erase(self, person: Person) -> dict[str, int]:
        user_type = ContentType.objects.get_for_model(person.user)
        entries = LogEntry.objects.filter(
            Q(content_type=user_type, object_id=str(person.user.pk))
            | Q(object_repr__icontains=person.email)
        )
        return {"admin_log_entries_redacted": _redact_log(entries)}

    def apply_retention(self, run: RetentionRun) -> int:
        old = LogEntry.objects.filter(action_time__lt=run.cutoff("audit")).exclude(
            object_repr=REDACTED_REPR
        )
        return run.in_batches(old, _redact_log)


def _redact_log(entries) -> int:
    return entries.update(object_repr=REDACTED_REPR, change_message="")
