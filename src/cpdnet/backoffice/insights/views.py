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
from cpdnet.backoffice.hub.selectors import access_hub, visible_hub_ids
from cpdnet.events.selectors import count_event_registrants_by_organisation
from cpdnet.hubs.selectors import list_networks
from cpdnet.insights import selectors
from cpdnet.insights.charts import bar_chart, trend_chart
from cpdnet.insights.maps import choropleth
from cpdnet.insights.selectors import NO_HUB, ReachFilters
from cpdnet.links import page_path
from cpdnet.operations.replica import reads_from_replica
from cpdnet.programmes.academic_years import current_academic_year

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
    return f"{page_path('backoffice:insights-schools')}?{urlencode(query)}"


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


# The national page's sections, each its own page (links, not script tabs): the headline
# figures first, then one breakdown at a time. Each asks only for the figures it shows.
NATIONAL_SECTIONS = {
    "overview": "Headline figures",
    "hubs": "By hub",
    "map": "Map",
    "breakdown": "Breakdown",
    "trend": "Over the years",
}
# Rows of a long table per page (the impact tables run to thousands of rows).
ROWS_PER_PAGE = 50


def _section(request, sections: dict, default: str) -> str:
    chosen = request.GET.get("show", "")
    return chosen if chosen in sections else default


def _section_links(request, sections: dict, here: str) -> list[dict]:
    """Each section's link, keeping the figures chosen (network, year, breakdown)."""
    kept = request.GET.copy()
    kept.pop("page", None)
    links = []
    for key, label in sections.items():
        kept["show"] = key
        links.append(
            {"key": key, "label": label, "url": f"?{kept.urlencode()}", "here": key == here}
        )
    return links


@declare(Access.NATIONAL_STAFF)
@reads_from_replica
def national(request):
    networks = list_networks()
    form = ReachForm(request.GET or None, networks=networks)
    network, year, by = form.values()
    # An old link that chose a breakdown lands on the breakdown.
    show = _section(request, NATIONAL_SECTIONS, "breakdown" if "by" in request.GET else "overview")
    rates = selectors.target_rates(network, year)
    context = {
        "form": form,
        "network": network,
        "year": year,
        "year_label": year_label(year),
        "targets": rates,
        "refreshed_at": selectors.engagement_refreshed_at(),
        "show": show,
        "section_label": NATIONAL_SECTIONS[show],
        "sections": _section_links(request, NATIONAL_SECTIONS, show),
    }
    if show in ("overview", "hubs"):
        by_slug = {hub.slug: hub for hub in selectors.hub_names(network).values()}
        reach = selectors.apply_targets(selectors.reach_by_hub(network, year), rates)
        _link_rows(reach, by_slug)
        context.update(reach=reach, reach_chart=bar_chart(reach.rows))
        if show == "hubs":
            context["capacity"] = national_leadership_capacity(network, year=year)
        if show == "overview":
            context.update(_headline(reach))
            # Counted apart: registrants from universities, industry and others are not reach.
            context["event_registrants"] = count_event_registrants_by_organisation(network, year)
    elif show == "map":
        authorities = selectors.reach_breakdown(network, year, "local_authority")
        _link_rows(authorities, {})
        context.update(authorities=authorities, map=choropleth(authorities.rows))
    elif show == "breakdown":
        by_slug = {hub.slug: hub for hub in selectors.hub_names(network).values()}
        breakdown = selectors.apply_targets(selectors.reach_breakdown(network, year, by), rates)
        _link_rows(breakdown, by_slug)
        context.update(breakdown=breakdown, breakdown_chart=bar_chart(breakdown.rows))
    else:
        trend = selectors.reach_trend(network, _trend_years(year))
        context.update(trend=trend, trend_chart=trend_chart(trend))
    return render(request, "backoffice/insights/national.html", context)


def _headline(reach) -> dict:
    """The hubs meeting their target, and the highest and lowest hubs (schools in no hub's
    area are not a hub, so never the lowest)."""
    hubs = [row for row in reach.rows if row.key != NO_HUB and row.schools]
    with_target = [row for row in hubs if row.target is not None]
    ranked = sorted(hubs, key=lambda row: row.rate, reverse=True)
    return {
        "hubs_meeting_target": sum(1 for row in with_target if row.meets_target),
        "hubs_with_target": len(with_target),
        "highest_hubs": ranked[:3],
        "lowest_hubs": ranked[-3:][::-1] if len(ranked) > 3 else [],
        "no_hub": next((row for row in reach.rows if row.key == NO_HUB and row.schools), None),
    }


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
    show = _section(request, IMPACT_SECTIONS, "completion")
    impact = selectors.impact(hub_ids=hub_ids, year=year)
    rows = {"completion": impact.completion, "changes": impact.changes, "cascade": impact.cascade}
    page = Paginator(rows[show], ROWS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "backoffice/insights/impact.html",
        {
            "form": form,
            "year": year,
            "year_label": year_label(year) if year else "every year",
            "impact": impact,
            "national": hub_ids is None,
            "show": show,
            "sections": _section_links(request, IMPACT_SECTIONS, show),
            "page": page,
            "rows": page.object_list,
        },
    )


IMPACT_SECTIONS = {
    "completion": "Completion",
    "changes": "Change in survey scores",
    "cascade": "Cascade",
}


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
