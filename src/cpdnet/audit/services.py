"""Write audit entries; call inside the transaction of the change they record."""

from django.db import models

from .models import AuditEntry


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
