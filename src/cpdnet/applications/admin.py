from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from .models import Affiliation, AffiliationChange, Application, Transition, VerifiedDomain


class TransitionInline(admin.TabularInline):
    model = Transition
    fields = ["created_at", "from_state", "to_state", "by", "by_label", "reason"]
    readonly_fields = fields
    ordering = ["created_at", "id"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    """Applications to look at; decisions go through the hub back office, which audits them."""

    list_display = ["applicant", "offering", "school", "state", "submitted_at"]
    list_filter = ["state", "offering__hub__network", "offering__academic_year", "offering__hub"]
    search_fields = ["applicant__email", "applicant__full_name", "school__name", "=school__urn"]
    list_select_related = ["applicant", "school", "offering__programme", "offering__hub"]
    date_hierarchy = "submitted_at"
    fields = [
        "decide_link", "offering", "applicant", "school", "job_role", "approver_email",
        "statement", "state", "state_reason", "submitted_at", "approval_due_at",
        "waitlisted_at", "offer_expires_at", "updated_at",
    ]  # fmt: skip
    readonly_fields = fields
    inlines = [TransitionInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Decide")
    def decide_link(self, application):
        url = reverse("backoffice:application", kwargs={"application_id": application.pk})
        return format_html('<a href="{}">Decide in the hub back office</a>', url)


class AffiliationChangeInline(admin.TabularInline):
    model = AffiliationChange
    fields = ["created_at", "from_state", "to_state", "by", "by_label", "reason"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Affiliation)
class AffiliationAdmin(admin.ModelAdmin):
    """Who says they work where; confirming goes through the back office, which audits it."""

    list_display = ["person", "school", "state", "updated_at"]
    list_filter = ["state"]
    search_fields = ["person__email", "person__full_name", "school__name", "=school__urn"]
    list_select_related = ["person", "school"]
    readonly_fields = ["person", "school", "state", "created_at", "updated_at"]
    inlines = [AffiliationChangeInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(VerifiedDomain)
class VerifiedDomainAdmin(admin.ModelAdmin):
    """Verified domains to look at; adding and removing go through the back office schools
    pages, which refuse public webmail and audit the change."""

    list_display = ["domain", "school", "trust_name", "added_by", "created_at"]
    search_fields = ["domain", "school__name", "=school__urn", "trust_name"]
    list_select_related = ["school", "added_by"]
    readonly_fields = ["domain", "school", "trust_name", "added_by", "created_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
