from django.contrib import admin

from .models import (
    BankDetails,
    Bursary,
    BursaryScheme,
    CancellationPolicy,
    Fund,
    Invoice,
    LedgerEntry,
    PaymentRun,
    ProgrammePrice,
)


@admin.register(Fund)
class FundAdmin(admin.ModelAdmin):
    list_display = ["name", "funder", "academic_year", "budget", "eligibility"]
    list_filter = ["academic_year", "eligibility"]
    search_fields = ["name", "funder"]


@admin.register(ProgrammePrice)
class ProgrammePriceAdmin(admin.ModelAdmin):
    list_display = ["programme", "category", "amount"]
    list_filter = ["category"]
    autocomplete_fields = ["programme"]


@admin.register(CancellationPolicy)
class CancellationPolicyAdmin(admin.ModelAdmin):
    list_display = ["programme", "full_refund_days", "late_refund_percent"]
    autocomplete_fields = ["programme"]


@admin.register(BursaryScheme)
class BursarySchemeAdmin(admin.ModelAdmin):
    list_display = ["offering", "fund", "supply_days", "daily_rate", "travel_cap"]
    raw_id_fields = ["offering"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Money rows change only through services (and the ledger never): view, do not edit."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "kind", "amount", "fund", "school", "description"]
    list_filter = ["kind", "academic_year"]
    list_select_related = ["fund", "school"]


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyAdmin):
    list_display = ["number", "school", "amount", "issued_on", "due_on"]
    list_select_related = ["school"]
    search_fields = ["number"]


@admin.register(Bursary)
class BursaryAdmin(ReadOnlyAdmin):
    list_display = ["pk", "school", "fund", "state", "committed", "amount"]
    list_filter = ["state"]
    list_select_related = ["school", "fund"]


@admin.register(PaymentRun)
class PaymentRunAdmin(ReadOnlyAdmin):
    list_display = ["pk", "fund", "up_to", "state", "created_by", "approved_by"]


@admin.register(BankDetails)
class BankDetailsAdmin(ReadOnlyAdmin):
    list_display = ["school", "masked_account", "created_at"]
    list_select_related = ["school"]
    exclude = ["account_number", "sort_code"]
