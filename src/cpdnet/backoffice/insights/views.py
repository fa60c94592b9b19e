"""Insights pages: national reach, a hub's reach and equity, the schools behind a figure, impact
and the evaluator's anonymised extract.

National staff see every hub; hub staff see their own hubs (others answer 404); the evaluator
gets only the anonymised extract. Pages read their figures from the read replica when there
is one (the CSV exports stream from the primary).
"""

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse

from cpdnet.accounts.permissions import Access, declare
from cpdnet.accounts.selectors import is_national_staff
from cpdnet.accreditation.capacity import leadership_capacity, national_leadership_capacity
from cpdnet.backoffice.csv_export import csv_response
from cpdnet.backoffice.hub.selectors import access_hub, current_academic_year, visible_hub_ids
from cpdnet.hubs.selectors import list_networks
from cpdnet.insights import selectors
from cpdnet.insights.charts import bar_chart, trend_chart
from cpdnet.insights.maps import choropleth
from cpdnet.insights.selectors import NO_HUB, ReachFilters
from cpdnet.operations.replica import reads_from_replica

from .forms import (
    YEARS_SHOWN,
    ExtractForm,
    HubPageForm,
    ReachForm,
    SchoolFilterForm,
    year_label,
)

SCHOOLS_PER_PAGE = 50
NEVER_ENGAGED_SHOWN = 25
FILTER_FIELDS = (
    "local_authority",
    "district",
    "region",
    "phase",
    "fsm_quintile",
    "urban_rural",
    "trust",
    "size_band",
)


def _schools_url(network, year: int, filters: ReachFilters, engaged: str = "", **extra) -> str:
    query = {"network": network.slug, "year": year}
    if filters.hub is not None:
        query["hub"] = filters.hub.slug
    query.update({name: getattr(filters, name) for name in FILTER_FIELDS if getattr(filters, name)})
    if engaged:
        query["engaged"] = engaged
    query.update(extra)
    return f"{reverse('backoffice:insights-schools')}?{urlencode(query)}"


def _link_rows(reach, hubs_by_slug: dict) -> None:
    """Give each row links to its schools and its engaged schools."""
    for row in reach.rows:
        if reach.dimension == "hub":
            filters = ReachFilters(hub=hubs_by_slug.get(row.key), no_hub=row.key == NO_HUB)
            extra = {"hub": NO_HUB} if row.key == NO_HUB else {}
        else:
            filters = reach.filters.with_key(reach.dimension, row.key)
            extra = {}
        row.schools_url = _schools_url(reach.network, reach.year, filters, **extra)
        row.engaged_url = _schools_url(reach.network, reach.year, filters, "yes", **extra)
    reach.total.schools_url = _schools_url(reach.network, reach.year, reach.filters)
    reach.total.engaged_url = _schools_url(reach.network, reach.year, reach.filters, "yes")


def _trend_years(year: int) -> list[int]:
    return list(range(year - YEARS_SHOWN + 1, year + 1))


@declare(Access.NATIONAL_STAFF)
@reads_from_replica
def national(request):
    networks = list_networks()
    form = ReachForm(request.GET or None, networks=networks)
    network, year, by = form.values()
    rates = selectors.target_rates(network, year)
    hubs = selectors.hub_names(network)
    by_slug = {hub.slug: hub for hub in hubs.values()}
    reach = selectors.apply_targets(selectors.reach_by_hub(network, year), rates)
    breakdown = selectors.apply_targets(selectors.reach_breakdown(network, year, by), rates)
    authorities = (
        breakdown
        if by == "local_authority"
        else selectors.reach_breakdown(network, year, "local_authority")
    )
    for table in (reach, breakdown, authorities):
        _link_rows(table, by_slug)
    trend = selectors.reach_trend(network, _trend_years(year))
    return render(
        request,
        "backoffice/insights/national.html",
        {
            "form": form,
            "network": network,
            "year": year,
            "year_label": year_label(year),
            "reach": reach,
            "reach_chart": bar_chart(reach.rows),
            "breakdown": breakdown,
            "breakdown_chart": bar_chart(breakdown.rows),
            "authorities": authorities,
            "map": choropleth(authorities.rows),
            "trend": trend,
            "trend_chart": trend_chart(trend),
            "targets": rates,
            "capacity": national_leadership_capacity(network, year=year),
            "refreshed_at": selectors.engagement_refreshed_at(),
        },
    )


@declare(Access.HUB_STAFF)
@reads_from_replica
def hub(request, slug: str):
    hub = access_hub(request.user, slug)
    form = HubPageForm(request.GET or None, networks=[hub.network], default_by="local_authority")
    _network, year, by = form.values()
    never = form.never_years()
    network = hub.network
    filters = ReachFilters(hub=hub)
    by_slug = {hub.slug: hub}
    rates = selectors.target_rates(network, year)
    equity = selectors.equity_for_hub(hub, year, never_years=never)
    # The page's default breakdown is the one equity already counted: reuse it.
    authorities = equity.authorities
    breakdown = selectors.apply_targets(
        authorities
        if by == "local_authority"
        else selectors.reach_breakdown(network, year, by, filters=filters),
        rates,
    )
    for table in (breakdown, equity.quintiles):
        _link_rows(table, by_slug)
    never_engaged = selectors.list_never_engaged_schools(hub, year, years=never)
    trend = selectors.reach_trend(network, _trend_years(year), filters=filters)
    return render(
        request,
        "backoffice/insights/hub.html",
        {
            "form": form,
            "hub": hub,
            "network": network,
            "year": year,
            "year_label": year_label(year),
            "breakdown": breakdown,
            "breakdown_chart": bar_chart(breakdown.rows),
            "equity": equity,
            "quintile_chart": bar_chart(equity.quintiles.rows),
            "map": choropleth(authorities.rows, codes={row.key for row in authorities.rows}),
            "authorities": authorities,
            "never": never,
            "never_from_label": year_label(year - never + 1),
            "never_engaged": never_engaged[:NEVER_ENGAGED_SHOWN],
            "never_engaged_count": never_engaged.count(),
            "never_engaged_csv": reverse("backoffice:insights-never-engaged", args=[hub.slug])
            + f"?{urlencode({'year': year, 'never': never})}",
            "trend": trend,
            "trend_chart": trend_chart(trend),
            "capacity": leadership_capacity(hub, year=year),
            "refreshed_at": selectors.engagement_refreshed_at(),
        },
    )


@declare(Access.HUB_STAFF)
def never_engaged_export(request, slug: str):
    hub = access_hub(request.user, slug)
    form = HubPageForm(request.GET or None, networks=[hub.network])
    _network, year, _by = form.values()
    schools = selectors.list_never_engaged_schools(hub, year, years=form.never_years())
    return csv_response(
        selectors.SCHOOL_CSV_HEADER[:8],
        selectors.iter_school_rows(schools, hub.network),
        f"never-engaged-{hub.slug}-{year}.csv",
    )


def _school_filters(request) -> tuple:
    """Read and scope the drill-down filters: hub staff must name one of their own hubs."""
    form = SchoolFilterForm(request.GET or None, networks=list_networks())
    network, year, _by = form.values()
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    hub_slug = data.get("hub", "")
    hub = None
    if hub_slug and hub_slug != NO_HUB:
        hub = access_hub(request.user, hub_slug)
        network = hub.network
    elif not is_national_staff(request.user):
        raise Http404("Choose one of your hubs")
    filters = ReachFilters(
        hub=hub,
        no_hub=hub_slug == NO_HUB,
        **{name: data.get(name, "") for name in FILTER_FIELDS},
    )
    return form, network, year, filters, data.get("engaged", "")


@declare(Access.HUB_STAFF)
@reads_from_replica
def schools(request):
    form, network, year, filters, engaged = _school_filters(request)
    found = selectors.list_reach_schools(network, year, filters, engaged=engaged)
    page = Paginator(found, SCHOOLS_PER_PAGE).get_page(request.GET.get("page"))
    hubs = selectors.hub_names(network)
    for school in page.object_list:
        school.hub = hubs.get(school.hub_pk)
    return render(
        request,
        "backoffice/insights/schools.html",
        {
            "form": form,
            "network": network,
            "year_label": year_label(year),
            "filters": filters,
            "page": page,
            "schools": page.object_list,
            "csv_url": reverse("backoffice:insights-schools-csv") + "?" + request.GET.urlencode(),
        },
    )


@declare(Access.HUB_STAFF)
def schools_export(request):
    _form, network, year, filters, engaged = _school_filters(request)
    found = selectors.list_reach_schools(network, year, filters, engaged=engaged)
    return csv_response(
        selectors.SCHOOL_CSV_HEADER,
        selectors.iter_school_rows(found, network),
        f"schools-{network.slug}-{year}.csv",
    )


@declare(Access.HUB_STAFF)
@reads_from_replica
def impact(request):
    form = ExtractForm(request.GET or None)
    year = form.cleaned_data["year"] if form.is_bound and form.is_valid() else None
    hub_ids = visible_hub_ids(request.user)
    return render(
        request,
        "backoffice/insights/impact.html",
        {
            "form": form,
            "year": year,
            "year_label": year_label(year) if year else "every year",
            "impact": selectors.impact(hub_ids=hub_ids, year=year),
            "national": hub_ids is None,
        },
    )


@declare(Access.EVALUATOR)
def extract(request):
    form = ExtractForm(request.GET or None)
    year = (
        form.cleaned_data["year"] if form.is_bound and form.is_valid() else current_academic_year()
    )
    return csv_response(
        selectors.EXTRACT_HEADER,
        selectors.iter_extract_rows(year),
        f"reach-extract-{year}.csv",
    )
