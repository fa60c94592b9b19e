"""The Django admin shows accreditation read-only: every change goes through the services,
which keep history and audit; the back office pages are where staff act."""

from django.contrib import admin

from .models import (
    Accreditation,
    Appeal,
    Assessment,
    Candidacy,
    CandidacyTransition,
    CohortDeadline,
    FacilitatorRequirement,
    Renewal,
    SubmittedVersion,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class TransitionInline(admin.TabularInline):
    model = CandidacyTransition
    fields = ["from_state", "to_state", "by", "reason", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Candidacy)
class CandidacyAdmin(ReadOnlyAdmin):
    list_display = ["pk", "candidate", "phase", "hub", "state", "pg_cert_opted_in_at", "updated_at"]
    list_filter = ["state", "phase"]
    search_fields = ["candidate__email", "candidate__full_name"]
    raw_id_fields = ["application", "candidate", "hub"]
    inlines = [TransitionInline]


@admin.register(SubmittedVersion)
class SubmittedVersionAdmin(ReadOnlyAdmin):
    list_display = ["pk", "candidacy", "number", "submitted_at", "late_by_extension"]


@admin.register(Assessment)
class AssessmentAdmin(ReadOnlyAdmin):
    list_display = ["pk", "version", "role", "assessor", "recommendation", "completed_at"]
    list_filter = ["role", "recommendation"]


@admin.register(Appeal)
class AppealAdmin(ReadOnlyAdmin):
    list_display = ["pk", "candidacy", "outcome", "lodged_at", "decided_at"]
    list_filter = ["outcome"]


@admin.register(Accreditation)
class AccreditationAdmin(ReadOnlyAdmin):
    list_display = [
        "code",
        "holder",
        "phase",
        "hub",
        "accredited_on",
        "valid_until",
        "on_public_register",
        "lapsed_at",
    ]
    list_filter = ["phase", "on_public_register"]
    search_fields = ["code", "holder__email", "holder__full_name"]


@admin.register(Renewal)
class RenewalAdmin(ReadOnlyAdmin):
    list_display = ["pk", "accreditation", "state", "submitted_at", "reviewed_at"]
    list_filter = ["state"]


@admin.register(CohortDeadline)
class CohortDeadlineAdmin(ReadOnlyAdmin):
    list_display = ["offering", "submit_by", "resubmission_window_days"]


@admin.register(FacilitatorRequirement)
class FacilitatorRequirementAdmin(ReadOnlyAdmin):
    list_display = ["programme", "rule", "updated_at"]
