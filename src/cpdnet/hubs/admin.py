from django.contrib import admin, messages
from django.db import models
from django.urls import reverse
from django.utils.html import format_html

from .models import (
    Hub,
    HubArea,
    HubChangeRequest,
    HubChangeRequestStatus,
    HubSchoolOverride,
    Network,
)
from .services import decide_hub_change_request


@admin.register(Network)
class NetworkAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "subject", "hub_noun", "display_order"]


class HubAreaInline(admin.TabularInline):
    model = HubArea
    extra = 1
    autocomplete_fields = ["local_authority", "district"]
    fields = ["local_authority", "district", "basis", "note"]


@admin.register(Hub)
class HubAdmin(admin.ModelAdmin):
    list_display = ["name", "network", "region", "lead_school_label", "data_status", "area_count"]
    list_filter = ["network", "data_status", "region"]
    search_fields = ["name", "slug", "lead_school_name", "lead_school__name"]
    autocomplete_fields = ["lead_school"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["created_at", "updated_at", "coverage_link"]
    inlines = [HubAreaInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_queryset(self, request):
        from django.db.models import Count

        return (
            super()
            .get_queryset(request)
            .select_related("network", "lead_school")
            .annotate(area_rows=Count("areas"))
        )

    @admin.display(description="Area rows", ordering="area_rows")
    def area_count(self, hub):
        return hub.area_rows

    @admin.display(description="Coverage")
    def coverage_link(self, hub):
        url = reverse("backoffice:area-coverage", kwargs={"network": hub.network.slug})
        return format_html('<a href="{}">Authorities with no hub or split between hubs</a>', url)


@admin.register(HubArea)
class HubAreaAdmin(admin.ModelAdmin):
    list_display = ["__str__", "hub", "network", "basis"]
    list_filter = ["network", "basis", "local_authority__region_name"]
    search_fields = ["hub__name", "local_authority__name", "district__name"]
    autocomplete_fields = ["hub", "local_authority", "district"]
    list_select_related = ["hub", "network", "local_authority", "district"]


@admin.register(HubSchoolOverride)
class HubSchoolOverrideAdmin(admin.ModelAdmin):
    list_display = ["school", "hub", "network", "created_at"]
    list_filter = ["network"]
    search_fields = ["school__name", "=school__urn", "hub__name"]
    autocomplete_fields = ["school", "hub"]
    list_select_related = ["school", "hub", "network"]


@admin.register(HubChangeRequest)
class HubChangeRequestAdmin(admin.ModelAdmin):
    list_display = ["school", "requested_hub", "current_hub", "status", "created_at"]
    list_filter = ["status", "network"]
    search_fields = ["school__name", "=school__urn", "contact_email"]
    list_select_related = ["school", "requested_hub", "current_hub"]
    readonly_fields = [
        "school", "network", "current_hub", "requested_hub", "contact_name", "contact_email",
        "contact_role", "reason", "status", "created_at", "decided_at", "decided_by",
    ]  # fmt: skip
    actions = ["approve", "decline"]

    def has_add_permission(self, request):
        return False

    def _decide(self, request, queryset, *, approve: bool):
        decided = 0
        for change in queryset.filter(status=HubChangeRequestStatus.PENDING):
            decide_hub_change_request(request=change, approve=approve, by=request.user)
            self.log_change(request, change, "Approved" if approve else "Declined")
            decided += 1
        self.message_user(request, f"{decided} request(s) decided.", messages.SUCCESS)

    @admin.action(description="Approve: the school works with the hub it asked for")
    def approve(self, request, queryset):
        self._decide(request, queryset, approve=True)

    @admin.action(description="Decline the selected requests")
    def decline(self, request, queryset):
        self._decide(request, queryset, approve=False)
