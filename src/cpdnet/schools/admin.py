from django.contrib import admin

from .models import District, LocalAuthority, School, SchoolImport

IMPORTED_FIELDS = [
    "urn", "name", "status", "la_code", "la_name", "district_code", "establishment_number",
    "type_name", "type_group", "funding_category", "is_state_funded", "phase", "phase_source",
    "census_school_type",
    "statutory_low_age", "statutory_high_age", "postcode", "town", "easting", "northing",
    "pupils", "percentage_fsm", "trust_name", "urban_rural", "region_name", "open_date",
    "close_date", "successor", "imported_at", "updated_at",
]  # fmt: skip


@admin.register(School)
class SchoolAdmin(admin.ModelAdmin):
    """The register comes from GIAS imports, so its fields are read-only here."""

    list_display = ["urn", "name", "status", "phase", "la_name", "postcode", "is_state_funded"]
    list_filter = ["status", "funding_category", "phase", "type_group", "region_name"]
    search_fields = ["=urn", "name", "postcode", "town"]
    readonly_fields = IMPORTED_FIELDS
    show_full_result_count = False
    list_per_page = 50

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SchoolImport)
class SchoolImportAdmin(admin.ModelAdmin):
    list_display = ["file_name", "imported_at", "rows", "created", "updated", "unchanged", "closed"]
    readonly_fields = [field.name for field in SchoolImport._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(LocalAuthority)
class LocalAuthorityAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "ons_code", "region_name"]
    list_filter = ["region_name"]
    search_fields = ["code", "name", "ons_code"]


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "local_authority"]
    list_filter = ["local_authority__region_name"]
    search_fields = ["code", "name", "local_authority__name"]
    autocomplete_fields = ["local_authority"]
