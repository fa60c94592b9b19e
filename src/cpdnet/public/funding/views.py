"""Money for teachers and schools: a teacher's bursary, and a school finance contact's
statement, invoices and bank details. Each page checks the person's own place or school."""

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from cpdnet.accounts.permissions import Access, declare
from cpdnet.accounts.selectors import list_finance_school_urns
from cpdnet.applications.models import Application
from cpdnet.applications.selectors import get_participation
from cpdnet.backoffice.csv_export import csv_response
from cpdnet.funding import selectors, services
from cpdnet.funding.documents import render_invoice_pdf
from cpdnet.funding.models import Bursary, BursaryState
from cpdnet.funding.money import pence
from cpdnet.funding.services import FundingError
from cpdnet.programmes.academic_years import current_academic_year, requested_academic_year
from cpdnet.schools.models import School

from .forms import BankDetailsForm, ClaimForm

STATEMENT_HEADER = ["Date", "Kind", "Description", "Amount"]


def _participation(request, offering_id: int) -> Application:
    try:
        return get_participation(request.user, offering_id)
    except Application.DoesNotExist:
        raise Http404("You have no place on an offering with this number") from None


def _bursary_page(request, application: Application, **extra):
    scheme = selectors.get_scheme(application.offering)
    if scheme is None:
        raise Http404("This offering has no bursary")
    bursary = Bursary.objects.filter(application=application).first()
    refusal = None if bursary else services.bursary_refusal(application, scheme)
    return render(
        request,
        "public/funding/my_bursary.html",
        {
            "application": application,
            "offering": application.offering,
            "scheme": scheme,
            "bursary": bursary,
            "refusal": refusal,
            "history": bursary.history.all() if bursary else [],
            **extra,
        },
    )


@declare(Access.SIGNED_IN)
@require_http_methods(["GET", "POST"])
def my_bursary(request, offering_id: int):
    application = _participation(request, offering_id)
    if request.method == "POST":
        try:
            services.apply_for_bursary(application=application, by=request.user)
        except FundingError as error:
            return _bursary_page(request, application, error=error.reason)
        messages.success(request, "Bursary applied for: the money is set aside for your school.")
        return redirect("public:my-bursary", offering_id=offering_id)
    return _bursary_page(request, application)


@declare(Access.SIGNED_IN)
@require_http_methods(["GET", "POST"])
def my_bursary_claim(request, offering_id: int):
    application = _participation(request, offering_id)
    bursary = Bursary.objects.select_related("scheme").filter(application=application).first()
    if bursary is None or bursary.state != BursaryState.COMMITTED:
        raise Http404("You have no bursary to claim on this offering")
    form = ClaimForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.claim_bursary(
                bursary=bursary,
                travel_cost=form.cleaned_data["travel_cost"],
                has_receipt=form.cleaned_data["has_receipt"],
                by=request.user,
            )
        except FundingError as error:
            form.add_error(None, error.reason)
        else:
            messages.success(request, "Claim sent: national finance staff will check it.")
            return redirect("public:my-bursary", offering_id=offering_id)
    held, attended = services.attendance_days(application)
    return render(
        request,
        "public/funding/claim.html",
        {
            "form": form,
            "bursary": bursary,
            "scheme": bursary.scheme,
            "offering": application.offering,
            "held": held,
            "attended": attended,
        },
    )


@declare(Access.SCHOOL_FINANCE)
def school_finance(request):
    urns = list_finance_school_urns(request.user)
    schools = School.objects.filter(pk__in=urns).order_by("name")
    chosen = request.GET.get("urn", "")
    school = next((s for s in schools if str(s.pk) == chosen), schools.first())
    if school is None:
        raise Http404("You are not the finance contact of any school")
    year = requested_academic_year(request.GET)
    return render(
        request,
        "public/funding/school_finance.html",
        {
            "schools": schools,
            "school": school,
            "year": year,
            "years": range(current_academic_year(), current_academic_year() - 4, -1),
            "summary": selectors.school_summary(school, year),
            "lines": selectors.list_statement_lines(school, year)[:500],
            "balance": selectors.statement_balance(school, year),
            "invoices": selectors.list_school_invoices(school)[:100],
            "bank_details": services.current_bank_details(school),
        },
    )


@declare(Access.SCHOOL_FINANCE)
@require_http_methods(["GET", "POST"])
def bank_details(request, urn: int):
    school = selectors.access_school(request.user, urn)
    current = services.current_bank_details(school)
    form = BankDetailsForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        services.save_bank_details(school=school, by=request.user, **form.cleaned_data)
        messages.success(
            request,
            "Bank details saved. We have emailed the school's finance contacts; payments to the "
            "new account are held for 7 days.",
        )
        return redirect(reverse("public:school-finance") + f"?urn={urn}")
    return render(
        request,
        "public/funding/bank_details.html",
        {"form": form, "school": school, "current": current},
    )


def statement_rows(lines):
    for line in lines.iterator(chunk_size=2000):
        yield [line.created_at.date().isoformat(), line.kind, line.description, pence(line.amount)]


@declare(Access.SCHOOL_FINANCE)
def statement_csv(request, urn: int):
    school = selectors.access_school(request.user, urn)
    year = requested_academic_year(request.GET)
    return csv_response(
        STATEMENT_HEADER,
        statement_rows(selectors.list_statement_lines(school, year)),
        f"statement-{urn}-{year}.csv",
    )


@declare(Access.SIGNED_IN)
def invoice_pdf(request, invoice_id: int):
    invoice = selectors.access_invoice(request.user, invoice_id)
    pdf = render_invoice_pdf(
        invoice,
        credit_notes=list(invoice.credit_notes.all()),
        payee=settings.FUNDING_PAYEE_NAME,
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{invoice.number}.pdf"'
    return response
