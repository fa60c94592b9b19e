from django.contrib import admin

from .models import Offering, Programme


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ["title", "network", "phase", "kind", "funding_model", "is_active"]
    list_filter = ["network", "phase", "kind", "funding_model", "is_active"]
    search_fields = ["title", "slug", "summary"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["conflicts_with"]
    list_select_related = ["network"]
    readonly_fields = ["created_at", "updated_at"]


@admin.register(Offering)
class OfferingAdmin(admin.ModelAdmin):
    list_display = [
        "programme", "cohort_name", "hub", "academic_year", "mode", "capacity",
        "starts_on", "applications_open_at", "applications_close_at",
    ]  # fmt: skip
    list_filter = ["hub__network", "academic_year", "programme__kind", "mode", "hub"]
    search_fields = ["programme__title", "cohort_name", "hub__name", "venue", "=id"]
    autocomplete_fields = ["programme", "hub", "facilitator"]
    list_select_related = ["programme", "hub"]
    readonly_fields = ["created_at", "updated_at"]
    date_hierarchy = "starts_on"
