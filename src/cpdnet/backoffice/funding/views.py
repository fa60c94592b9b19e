"""Money for national finance staff: funds, claims, payment runs, invoices and statements.
Hub staff see their hub's funds; everything else is for finance staff (national staff too)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from cpdnet.accounts.models import Role
from cpdnet.accounts.permissions import Access, declare
from cpdnet.accounts.selectors import has_role
from cpdnet.backoffice.csv_export import csv_response
from cpdnet.funding import selectors, services
from cpdnet.funding.documents import StatementError, payment_file_rows, read_bank_statement
from cpdnet.funding.models import Fund, Payment, PaymentStatus, RunState
from cpdnet.funding.money import pence
from cpdnet.funding.services import FundingError
from cpdnet.insights import money
from cpdnet.programmes.academic_years import current_academic_year, requested_academic_year
from cpdnet.public.funding.views import STATEMENT_HEADER, statement_rows

from .forms import (
    BankStatementForm,
    FundForm,
    PaymentReceivedForm,
    PaymentRunForm,
    ReasonForm,
)

PER_PAGE = 50
FUND_FIELDS = ("name", "funder", "academic_year", "budget", "eligibility")


def _page(request, queryset, per_page: int = PER_PAGE):
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


@declare(Access.SIGNED_IN)
def index(request):
    # Finance staff see every fund; hub staff their hub's; anyone else is refused.
    is_finance = selectors.is_finance_staff(request.user)
    if not is_finance and not has_role(request.user, Role.HUB_STAFF):
        raise PermissionDenied
    funds = selectors.list_funds(request.user, year=requested_academic_year(request.GET))
    return render(
        request,
        "backoffice/funding/index.html",
        {
            "year": requested_academic_year(request.GET),
            "years": range(current_academic_year() + 1, current_academic_year() - 4, -1),
            "funds": selectors.with_figures(funds),
            "totals": selectors.national_totals(funds),
            "is_finance": is_finance,
            "claims_waiting": selectors.list_claims().count() if is_finance else 0,
        },
    )


@declare(Access.FINANCE)
@require_http_methods(["GET", "POST"])
def fund_edit(request, fund_id: int | None = None):
    fund = Fund() if fund_id is None else selectors.access_fund(request.user, fund_id)
    initial = {name: getattr(fund, name) for name in FUND_FIELDS}
    initial["academic_year"] = fund.academic_year or current_academic_year()
    initial["eligibility"] = fund.eligibility
    form = FundForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        for name in FUND_FIELDS:
            setattr(fund, name, form.cleaned_data[name])
        try:
            services.save_fund(fund=fund, by=request.user)
        except FundingError as error:
            form.add_error("budget", error.reason)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Fund saved: {fund}")
            return redirect("backoffice:funding-fund", fund_id=fund.pk)
    return render(request, "backoffice/funding/fund_form.html", {"form": form, "fund": fund})


@declare(Access.SIGNED_IN)
def fund_detail(request, fund_id: int):
    fund = selectors.access_fund(request.user, fund_id)
    return render(
        request,
        "backoffice/funding/fund.html",
        {
            "fund": fund,
            "remaining": selectors.remaining(fund),
            "page": _page(request, selectors.list_fund_entries(fund)),
        },
    )


@declare(Access.SIGNED_IN)
def fund_csv(request, fund_id: int):
    fund = selectors.access_fund(request.user, fund_id)
    rows = (
        [e.created_at.date().isoformat(), e.kind, e.description, e.school_id, pence(e.amount)]
        for e in selectors.list_fund_entries(fund).iterator(chunk_size=2000)
    )
    return csv_response(
        ["Date", "Kind", "Description", "School URN", "Amount"], rows, f"fund-{fund.pk}.csv"
    )


@declare(Access.FINANCE)
def claims(request):
    return render(
        request, "backoffice/funding/claims.html", {"page": _page(request, selectors.list_claims())}
    )


@declare(Access.FINANCE)
@require_POST
def claim_approve(request, bursary_id: int):
    bursary = selectors.access_claim(bursary_id)
    services.approve_bursary(bursary=bursary, by=request.user)
    messages.success(request, f"Claim {bursary.pk} approved: it will be in the next payment run.")
    return redirect("backoffice:funding-claims")


@declare(Access.FINANCE)
@require_http_methods(["GET", "POST"])
def claim_reject(request, bursary_id: int):
    bursary = selectors.access_claim(bursary_id)
    form = ReasonForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        services.reject_bursary(
            bursary=bursary, reason=form.cleaned_data["reason"], by=request.user
        )
        messages.success(request, f"Claim {bursary.pk} will not be paid.")
        return redirect("backoffice:funding-claims")
    return render(
        request, "backoffice/funding/claim_reject.html", {"form": form, "bursary": bursary}
    )


@declare(Access.FINANCE)
@require_http_methods(["GET", "POST"])
def payment_runs(request):
    form = PaymentRunForm(
        request.POST if request.method == "POST" else None,
        funds=selectors.list_funds(request.user),
    )
    if request.method == "POST" and form.is_valid():
        try:
            run = services.create_payment_run(by=request.user, **form.cleaned_data)
        except FundingError as error:
            form.add_error(None, error.reason)
        else:
            messages.success(request, "Payment run drafted: a second person must now approve it.")
            return redirect("backoffice:funding-run", run_id=run.pk)
    return render(
        request,
        "backoffice/funding/runs.html",
        {"form": form, "page": _page(request, selectors.list_payment_runs())},
    )


@declare(Access.FINANCE)
def payment_run(request, run_id: int):
    run = selectors.access_payment_run(run_id)
    return render(
        request,
        "backoffice/funding/run.html",
        {
            "run": run,
            "page": _page(request, selectors.list_run_payments(run)),
            "can_approve": run.state == RunState.DRAFT and run.created_by_id != request.user.pk,
        },
    )


@declare(Access.FINANCE)
@require_POST
def payment_run_approve(request, run_id: int):
    run = selectors.access_payment_run(run_id)
    try:
        services.approve_payment_run(run=run, by=request.user)
    except FundingError as error:
        messages.error(request, error.reason)
    else:
        messages.success(request, "Payment run approved: download the payment file for the bank.")
    return redirect("backoffice:funding-run", run_id=run.pk)


@declare(Access.FINANCE)
@require_POST
def payment_run_cancel(request, run_id: int):
    run = selectors.access_payment_run(run_id)
    try:
        services.cancel_payment_run(run=run, by=request.user)
    except FundingError as error:
        messages.error(request, error.reason)
    else:
        messages.success(request, "Payment run cancelled: its claims wait for the next run.")
    return redirect("backoffice:funding-run", run_id=run.pk)


@declare(Access.FINANCE)
def payment_run_file(request, run_id: int):
    run = selectors.access_payment_run(run_id)
    if run.state != RunState.APPROVED:
        raise Http404("Only an approved payment run has a payment file")
    rows = payment_file_rows(
        run.payments.filter(status=PaymentStatus.PAID)
        .select_related("bank_details")
        .order_by("id")
        .iterator(chunk_size=2000),
        run_id=run.pk,
    )
    header = next(rows)
    return csv_response(header, rows, f"payment-run-{run.pk}.csv")


@declare(Access.FINANCE)
@require_http_methods(["GET", "POST"])
def payment_return(request, payment_id: int):
    payment = Payment.objects.filter(pk=payment_id, status=PaymentStatus.PAID).first()
    if payment is None:
        raise Http404("No paid payment has this number")
    form = ReasonForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        services.record_returned_payment(
            payment=payment, reason=form.cleaned_data["reason"], by=request.user
        )
        messages.success(request, "Returned payment recorded: the claim can be paid again.")
        return redirect("backoffice:funding-run", run_id=payment.run_id)
    return render(
        request, "backoffice/funding/payment_return.html", {"form": form, "payment": payment}
    )


@declare(Access.FINANCE)
@require_http_methods(["GET", "POST"])
def invoices(request):
    form = BankStatementForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    statement = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            lines = read_bank_statement(upload.read())
        except StatementError as error:
            form.add_error("file", str(error))
        else:
            statement = services.match_bank_statement(
                file_name=upload.name, lines=lines, by=request.user
            )
    outstanding = request.GET.get("show") != "all"
    return render(
        request,
        "backoffice/funding/invoices.html",
        {
            "form": form,
            "statement": statement,
            "outstanding_only": outstanding,
            "page": _page(request, selectors.list_invoices(outstanding_only=outstanding)),
        },
    )


@declare(Access.FINANCE)
@require_http_methods(["GET", "POST"])
def invoice_payment(request, invoice_id: int):
    invoice = selectors.access_invoice(request.user, invoice_id)
    form = PaymentReceivedForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_payment_received(invoice=invoice, by=request.user, **form.cleaned_data)
        except FundingError as error:
            form.add_error("amount", error.reason)
        else:
            messages.success(request, f"Payment recorded against {invoice.number}.")
            return redirect("backoffice:funding-invoices")
    return render(
        request,
        "backoffice/funding/invoice_payment.html",
        {"form": form, "invoice": invoice, "owed": services.invoice_outstanding(invoice)},
    )


@declare(Access.FINANCE)
def school_statement(request, urn: int):
    school = selectors.access_school(request.user, urn)
    year = requested_academic_year(request.GET)
    if request.GET.get("format") == "csv":
        return csv_response(
            STATEMENT_HEADER,
            statement_rows(selectors.list_statement_lines(school, year)),
            f"statement-{urn}-{year}.csv",
        )
    return render(
        request,
        "backoffice/funding/school_statement.html",
        {
            "school": school,
            "year": year,
            "summary": selectors.school_summary(school, year),
            "page": _page(request, selectors.list_statement_lines(school, year)),
            "balance": selectors.statement_balance(school, year),
            "csv_url": reverse("backoffice:funding-school", args=[urn])
            + f"?year={year}&format=csv",
            "year_query": f"year={year}&",
        },
    )


@declare(Access.FINANCE)
def reach(request):
    year = requested_academic_year(request.GET)
    return render(
        request,
        "backoffice/funding/reach.html",
        {
            "year": year,
            "years": range(current_academic_year() + 1, current_academic_year() - 4, -1),
            "by_quintile": money.bursaries_by_fsm_quintile(year),
            "by_region": money.bursaries_by_region(year),
        },
    )
