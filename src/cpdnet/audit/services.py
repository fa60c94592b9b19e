"""Write audit entries; call inside the transaction of the change they record."""

import re

from django.db import models
from django.db.models import QuerySet
from django.utils import timezone

from .models import AuditEntry

# Amounts are stored as strings ("12.50"): they are numbers, and money must keep its figures.
NUMBER = re.compile(r"-?\d+(\.\d+)?")


def record(
    *,
    actor,
    action: str,
    obj: models.Model,
    summary: str,
    hub=None,
    data: dict | None = None,
) -> AuditEntry:
    """Record one staff change to an object."""
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        hub=hub,
        summary=summary[:300],
        data=data or {},
    )


def _numbers_only(data: dict) -> dict:
    return {
        key: value
        for key, value in data.items()
        if isinstance(value, bool | int | float)
        or (isinstance(value, str) and NUMBER.fullmatch(value))
    }


def redact_entries(entries: QuerySet[AuditEntry], *, why: str) -> int:
    """Overwrite the personal details of audit entries and mark them redacted; return how many.

    Entries are never deleted: who acted, the action, the object, the hub, the time and the
    numbers in the data stay, so the trail still says what happened and money adds up."""
    now = timezone.now()
    redacted = list(entries.filter(redacted_at__isnull=True).only("pk", "data"))
    for entry in redacted:
        entry.summary = f"Details removed: {why}"
        entry.data = _numbers_only(entry.data)
        entry.redacted_at = now
    AuditEntry.objects.bulk_update(redacted, ["summary", "data", "redacted_at"], batch_size=500)
    return len(redacted)


def redact_entries_about(model: type[models.Model], ids, *, why: str) -> int:
    """Redact the audit entries about these objects."""
    return redact_entries(
        AuditEntry.objects.filter(
            object_type=model._meta.label_lower, object_id__in=[str(pk) for pk in ids]
        ),
        why=why,
    )
