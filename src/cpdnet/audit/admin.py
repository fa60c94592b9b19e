from django.contrib import admin

from .models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """The audit trail, read-only: entries are written by services, never edited."""

    list_display = ["created_at", "actor", "action", "object_type", "object_id", "hub", "summary"]
    list_filter = [
        "hub__network",
        "hub",
        "object_type",
        ("redacted_at", admin.EmptyFieldListFilter),
    ]
    search_fields = ["action", "summary", "actor__email", "=object_id"]
    list_select_related = ["actor", "hub"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "created_at", "actor", "action", "object_type", "object_id", "hub", "summary", "data",
        "redacted_at",
    ]  # fmt: skip

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
