"""Reads about money, each scoped to who may see it; every total is a sum of ledger entries."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.db.models.functions import Coalesce
from django.http import Http404

from cpdnet.accounts.models import Role
from cpdnet.accounts.selectors import (
    has_role,
    is_national_staff,
    list_finance_school_urns,
    list_staffed_hub_ids,
)
from cpdnet.schools.models import School

from .models import (
    SCHOOL_KINDS,
    Bursary,
    BursaryScheme,
    BursaryState,
    EntryKind,
    Fund,
    Invoice,
    LedgerEntry,
    Payment,
    PaymentRun,
    sum_of_pounds,
)


def is_finance_staff(user) -> bool:
    """National finance staff (and national staff, who see everything)."""
    return is_national_staff(user) or has_role(user, Role.FINANCE)


def _sum(kind: str) -> Coalesce:
    return sum_of_pounds("entries__amount", filter=Q(entries__kind=kind))


def with_figures(funds: QuerySet[Fund]) -> QuerySet[Fund]:
    """Funds with `committed` and `paid` summed from their entries in the same query."""
    return funds.annotate(committed=_sum(EntryKind.COMMITMENT), paid=_sum(EntryKind.FUND_PAYMENT))


def list_funds(user, *, year: int | None = None) -> QuerySet[Fund]:
    """Funds the person may see: all for finance staff, their hub's for hub staff."""
    funds = Fund.objects.select_related("network", "hub", "programme")
    if year is not None:
        funds = funds.filter(academic_year=year)
    if is_finance_staff(user):
        return funds
    hub_ids = list_staffed_hub_ids(user)
    if hub_ids:
        return funds.filter(hub_id__in=hub_ids)
    return funds.none()


def access_fund(user, fund_id: int) -> Fund:
    fund = with_figures(list_funds(user)).filter(pk=fund_id).first()
    if fund is None:
        raise Http404("No fund has this number")
    return fund


def remaining(fund: Fund) -> Decimal:
    """What a fund annotated by `with_figures` has left."""
    return fund.budget - fund.committed - fund.paid


@dataclass(frozen=True)
class Totals:
    budget: Decimal
    committed: Decimal
    paid: Decimal

    @property
    def remaining(self) -> Decimal:
        return self.budget - self.committed - self.paid


def national_totals(funds: QuerySet[Fund]) -> Totals:
    """Budget, committed and paid over a set of funds, in two aggregate queries."""
    budget = funds.aggregate(total=sum_of_pounds("budget"))["total"]
    sums = LedgerEntry.objects.filter(fund__in=funds.values("pk")).aggregate(
        committed=sum_of_pounds("amount", filter=Q(kind=EntryKind.COMMITMENT)),
        paid=sum_of_pounds("amount", filter=Q(kind=EntryKind.FUND_PAYMENT)),
    )
    return Totals(budget=budget, committed=sums["committed"], paid=sums["paid"])


def list_fund_entries(fund: Fund) -> QuerySet[LedgerEntry]:
    return fund.entries.select_related("school").order_by("created_at", "id")


# --- Schools ---------------------------------------------------------------------------------


def can_see_school(user, school_urn: int) -> bool:
    return is_finance_staff(user) or school_urn in list_finance_school_urns(user)


def access_school(user, urn: int) -> School:
    """A school whose money the person may see (404 alike for missing and forbidden)."""
    school = School.objects.filter(pk=urn).first()
    if school is None or not can_see_school(user, urn):
        raise Http404("No school you handle the money of has this URN")
    return school


def list_statement_lines(school: School, year: int) -> QuerySet[LedgerEntry]:
    """A school's account for an academic year: invoices, credits, payments and bursaries."""
    return LedgerEntry.objects.filter(
        school=school, academic_year=year, kind__in=SCHOOL_KINDS
    ).order_by("created_at", "id")


def statement_balance(school: School, year: int) -> Decimal:
    return list_statement_lines(school, year).aggregate(total=sum_of_pounds("amount"))["total"]


@dataclass(frozen=True)
class SchoolSummary:
    invoiced: Decimal
    credited: Decimal
    paid: Decimal
    bursaries_paid: Decimal

    @property
    def outstanding(self) -> Decimal:
        return self.invoiced - self.credited - self.paid


def school_summary(school: School, year: int) -> SchoolSummary:
    """The statement's headline figures, in one aggregate query."""

    def total(kind: str) -> Coalesce:
        return sum_of_pounds("amount", filter=Q(kind=kind))

    sums = list_statement_lines(school, year).aggregate(
        invoiced=total(EntryKind.INVOICE),
        credited=total(EntryKind.CREDIT_NOTE),
        paid=total(EntryKind.PAYMENT_RECEIVED),
        bursaries=total(EntryKind.BURSARY_PAID),
    )
    return SchoolSummary(
        invoiced=sums["invoiced"],
        credited=-sums["credited"],
        paid=-sums["paid"],
        bursaries_paid=-sums["bursaries"],
    )


def list_school_invoices(school: School) -> QuerySet[Invoice]:
    return (
        Invoice.objects.filter(school=school)
        .annotate(outstanding=sum_of_pounds("entries__amount"))
        .select_related("application__offering__programme")
        .order_by("-issued_on", "-sequence")
    )


def access_invoice(user, invoice_id: int) -> Invoice:
    invoice = Invoice.objects.select_related("school").filter(pk=invoice_id).first()
    if invoice is None or not can_see_school(user, invoice.school_id):
        raise Http404("No invoice you may see has this number")
    return invoice


def list_invoices(*, outstanding_only: bool = False) -> QuerySet[Invoice]:
    invoices = (
        Invoice.objects.select_related("school")
        .annotate(outstanding=sum_of_pounds("entries__amount"))
        .order_by("-year", "-sequence")
    )
    return invoices.filter(outstanding__gt=0) if outstanding_only else invoices


# --- Bursaries and payment runs ---------------------------------------------------------------


def get_scheme(offering) -> BursaryScheme | None:
    return BursaryScheme.objects.select_related("fund").filter(offering=offering).first()


def list_claims(state: str = BursaryState.CLAIMED) -> QuerySet[Bursary]:
    return (
        Bursary.objects.filter(state=state)
        .select_related(
            "school", "fund", "application__offering__programme", "application__applicant"
        )
        .order_by("updated_at", "id")
    )


def access_claim(bursary_id: int) -> Bursary:
    bursary = list_claims(BursaryState.CLAIMED).filter(pk=bursary_id).first()
    if bursary is None:
        raise Http404("No claim waiting for approval has this number")
    return bursary


def list_payment_runs() -> QuerySet[PaymentRun]:
    return (
        PaymentRun.objects.select_related("fund", "created_by", "approved_by")
        .annotate(total=sum_of_pounds("payments__amount", filter=~Q(payments__status="removed")))
        .order_by("-created_at", "-id")
    )


def access_payment_run(run_id: int) -> PaymentRun:
    run = list_payment_runs().filter(pk=run_id).first()
    if run is None:
        raise Http404("No payment run has this number")
    return run


def list_run_payments(run: PaymentRun) -> QuerySet[Payment]:
    return run.payments.exclude(status="removed").select_related("school", "bank_details")
