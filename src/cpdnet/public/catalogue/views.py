"""The catalogue of programmes: filter the offerings and read about one."""

import datetime
from dataclasses import dataclass

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from cpdnet.accounts.permissions import Access, declare
from cpdnet.applications.eligibility import check_person
from cpdnet.delivery.selectors import list_programme_documents
from cpdnet.events.selectors import is_webinar
from cpdnet.funding.models import CancellationPolicy
from cpdnet.funding.selectors import get_scheme
from cpdnet.hubs import selectors as hub_selectors
from cpdnet.programmes.models import FundingModel, Offering
from cpdnet.programmes.selectors import (
    OfferingFilters,
    get_offering,
    list_offering_sessions,
    list_offerings,
)

from . import cache as page_cache
from .forms import KEY_STAGES, CatalogueFilterForm

RESULTS_PER_PAGE = 20


@dataclass(frozen=True)
class ApplicationWindow:
    """Whether an offering takes applications now, in words (never only a colour)."""

    is_open: bool
    tag: str
    text: str
    is_closed: bool = False


def application_window(
    offering: Offering, now: datetime.datetime | None = None
) -> ApplicationWindow:
    now = now or timezone.now()

    def day(moment: datetime.datetime) -> str:
        return date_format(timezone.localtime(moment), "j F Y")

    if now < offering.applications_open_at:
        return ApplicationWindow(
            False,
            _("Not open yet"),
            _("Applications open on %(date)s") % {"date": day(offering.applications_open_at)},
        )
    if now >= offering.applications_close_at:
        return ApplicationWindow(
            False,
            _("Closed"),
            _("Applications closed on %(date)s") % {"date": day(offering.applications_close_at)},
            is_closed=True,
        )
    return ApplicationWindow(
        True,
        _("Open"),
        _("Open for applications until %(date)s") % {"date": day(offering.applications_close_at)},
    )


@declare(Access.PUBLIC)
def catalogue(request):
    cached = page_cache.get_page(request)
    if cached is not None:
        return HttpResponse(cached)
    response = _render_catalogue(request)
    if response.status_code == 200:
        page_cache.keep_page(request, response.content)
    return response


def _render_catalogue(request):
    form = CatalogueFilterForm(
        request.GET or None,
        hubs=hub_selectors.list_all_hubs(),
        networks=hub_selectors.list_networks(),
    )
    context = {"form": form, "has_filters": form.is_bound and bool(set(request.GET) - {"page"})}
    if form.is_bound and not form.is_valid():
        return render(request, "public/catalogue/catalogue.html", context)
    # Open and upcoming by default: last year's closed offerings only when asked for.
    filters = form.filters() if form.is_bound else OfferingFilters(include_closed=False)
    now = timezone.now()
    page = Paginator(list_offerings(filters, now=now), RESULTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    offerings = list(page.object_list)
    for offering in offerings:
        offering.window = application_window(offering, now)
    context.update(page=page, offerings=offerings, near_by=form.near_by)
    return render(request, "public/catalogue/catalogue.html", context)


@declare(Access.PUBLIC)
def offering_detail(request, offering_id: int):
    try:
        offering = get_offering(offering_id)
    except Offering.DoesNotExist:
        raise Http404("No offering has this number") from None
    programme = offering.programme
    key_stage_labels = dict(KEY_STAGES)
    window = application_window(offering)
    # A signed-in teacher learns before pressing Apply whether they can, and why not.
    checks_eligibility = (
        request.user.is_authenticated and window.is_open and not is_webinar(offering)
    )
    return render(
        request,
        "public/catalogue/offering_detail.html",
        {
            "offering": offering,
            "programme": programme,
            "window": window,
            "sessions": list_offering_sessions(offering.pk),
            "documents": list_programme_documents(programme),
            "checks_eligibility": checks_eligibility,
            "refusal": check_person(offering=offering, person=request.user)
            if checks_eligibility
            else None,
            "key_stages": [
                str(key_stage_labels.get(stage.strip(), stage.strip()))
                for stage in programme.key_stages.split(",")
                if stage.strip()
            ],
            "has_fee": programme.funding_model == FundingModel.FEE or programme.fee > 0,
            "prices": list(programme.prices.all()),
            "policy": CancellationPolicy.objects.filter(programme=programme).first(),
            "scheme": get_scheme(offering),
        },
    )
