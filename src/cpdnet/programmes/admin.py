from django import forms
from django.contrib import admin

from .models import Offering, Programme
from .services import facilitator_refusal


class OfferingAdminForm(forms.ModelForm):
    class Meta:
        model = Offering
        fields = "__all__"  # noqa: DJ007 -- the admin shows every field of an offering

    def clean(self):
        cleaned = super().clean()
        facilitator, programme = cleaned.get("facilitator"), cleaned.get("programme")
        changed = {"facilitator", "programme"} & set(self.changed_data)
        if facilitator and programme and changed:
            reason = facilitator_refusal(programme, facilitator)
            if reason:
                self.add_error("facilitator", reason)
        return cleaned


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
    form = OfferingAdminForm
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
