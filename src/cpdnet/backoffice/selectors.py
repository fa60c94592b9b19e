"""Reads for the national back office pages."""

from django.db.models import QuerySet

from cpdnet.audit.models import AuditEntry
from cpdnet.hubs.models import Hub


def list_audit_entries(*, hub: Hub | None = None, action_prefix: str = "") -> QuerySet[AuditEntry]:
    """Return audit entries, newest first, of one hub and actions starting with a prefix."""
    entries = AuditEntry.objects.select_related("actor", "hub").order_by("-created_at", "-id")
    if hub is not None:
        entries = entries.filter(hub=hub)
    if action_prefix:
        entries = entries.filter(action__startswith=action_prefix)
    return entries
