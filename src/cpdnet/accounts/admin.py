from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from cpdnet.audit.services import record

from .models import ApiToken, RoleAssignment, SignInCode, User


def _record_role_change(*, by, assignment: RoleAssignment, action: str) -> None:
    verb = "given to" if action == "assigned" else "taken from"
    place = assignment.hub or assignment.school
    record(
        actor=by,
        action=f"accounts.role.{action}",
        obj=assignment,
        hub=assignment.hub,
        summary=(
            f"{assignment.get_role_display()} {verb} {assignment.user.email}"
            f"{f' for {place}' if place else ''} (admin)"
        ),
        data={
            "user": assignment.user_id,
            "role": assignment.role,
            "hub": assignment.hub_id,
            "school": assignment.school_id,
        },
    )


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0
    fields = ["role", "hub", "school", "created_at"]
    readonly_fields = ["created_at"]
    autocomplete_fields = ["school"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "is_staff", "is_active"]
    search_fields = ["email", "full_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Personal details", {"fields": ("full_name", "school", "job_role")}),
        ("Access", {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        ("Dates", {"fields": ("last_login", "created_at")}),
    )
    readonly_fields = ["last_login", "created_at"]
    autocomplete_fields = ["school"]
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
    inlines = [RoleAssignmentInline]

    def save_formset(self, request, form, formset, change):
        if formset.model is not RoleAssignment:
            return super().save_formset(request, form, formset, change)
        # Staff changes to roles are audited, as through accounts.services.
        instances = formset.save(commit=False)
        for assignment in formset.deleted_objects:
            _record_role_change(by=request.user, assignment=assignment, action="removed")
            assignment.delete()
        for assignment in instances:
            is_new = assignment.pk is None
            assignment.save()
            if is_new:
                _record_role_change(by=request.user, assignment=assignment, action="assigned")
        formset.save_m2m()


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "hub", "school", "created_at"]
    list_filter = ["role", "hub__network"]
    search_fields = ["user__email", "user__full_name", "hub__name", "school__name"]
    list_select_related = ["user", "hub", "school"]
    autocomplete_fields = ["user", "school"]
    readonly_fields = ["created_at"]

    def save_model(self, request, obj, form, change):
        is_new = obj.pk is None
        super().save_model(request, obj, form, change)
        if is_new:
            _record_role_change(by=request.user, assignment=obj, action="assigned")

    def delete_model(self, request, obj):
        _record_role_change(by=request.user, assignment=obj, action="removed")
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for assignment in queryset.select_related("user", "hub", "school"):
            _record_role_change(by=request.user, assignment=assignment, action="removed")
        super().delete_queryset(request, queryset)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(SignInCode)
class SignInCodeAdmin(ReadOnlyAdmin):
    list_display = ["email", "created_at", "expires_at", "failed_attempts", "used_at"]
    search_fields = ["email"]
    fields = ["email", "created_at", "expires_at", "failed_attempts", "used_at"]


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = ["prefix", "user", "created_at", "last_used_at", "revoked_at"]
    search_fields = ["user__email", "prefix"]
    list_select_related = ["user"]
    fields = ["prefix", "user", "created_at", "last_used_at", "revoked_at"]
