"""Public pages: home, find your hub, school and hub pages, telling us of a different hub."""

import datetime

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from cpdnet.accounts.permissions import Access, declare
from cpdnet.accounts.selectors import is_national_staff
from cpdnet.hubs import selectors as hub_selectors
from cpdnet.hubs.maps import hub_area_map
from cpdnet.hubs.models import Hub
from cpdnet.hubs.services import submit_hub_change_request
from cpdnet.links import school_path
from cpdnet.schools import selectors as school_selectors
from cpdnet.schools.models import School, SchoolStatus

from .forms import FindHubForm, HubChangeRequestForm

RESULTS_PER_PAGE = 20


@declare(Access.PUBLIC)
def home(request):
    return render(request, "public/home.html", {"form": FindHubForm()})


@declare(Access.PUBLIC)
def find_your_hub(request):
    if "q" not in request.GET:
        return render(request, "public/find_your_hub.html", {"form": FindHubForm()})
    form = FindHubForm(request.GET)
    if not form.is_valid():
        return render(request, "public/find_your_hub.html", {"form": form}, status=200)
    query = school_selectors.classify_query(form.cleaned_data["q"])
    context = {"form": form, "query": query}
    if query.kind in {"postcode", "outcode"}:
        return _place_results(request, context)
    number = _page_number(request.GET.get("page"))
    found = school_selectors.search_schools(
        query.text, offset=max(number - 1, 0) * RESULTS_PER_PAGE, limit=RESULTS_PER_PAGE
    )
    # The paginator is over the count alone: the page's schools come with the count.
    page = Paginator(range(found.count), RESULTS_PER_PAGE).get_page(number)
    if page.number != number:  # out of range: the last page, as Paginator.get_page gives
        found = school_selectors.search_schools(
            query.text, offset=page.start_index() - 1, limit=RESULTS_PER_PAGE
        )
    if query.kind == "urn" and found.count == 1:
        return redirect("public:school", urn=found.schools[0]["urn"])
    for school in found.schools:
        school["path"] = school_path(school["urn"])
        school["is_closed"] = school["status"] == SchoolStatus.CLOSED
        # One line per school, made here: a dozen template lookups a row were a fifth of the page.
        place = ", ".join(filter(None, [school["town"], school["postcode"] or "no postcode"]))
        school["where"] = " · ".join(
            filter(None, [place, f"URN {school['urn']}", school["la_name"]])
        )
    context.update(page=page, schools=found.schools, count=found.count)
    return render(request, "public/find_your_hub_results.html", context)


def _page_number(text: str | None) -> int:
    """The page asked for; 1 if it is not a whole number, as Paginator.get_page reads it."""
    try:
        return int(text)
    except (TypeError, ValueError):
        return 1


def _place_results(request, context):
    place = school_selectors.locate(context["query"])
    if place is None:
        return render(request, "public/find_your_hub_results.html", {**context, "place": None})
    district = hub_selectors.get_district(place.district_code)
    networks = hub_selectors.list_networks()
    resolved = (
        hub_selectors.resolve_hubs_for_place(district.local_authority_id, district.code)
        if district
        else {}
    )
    context.update(
        place=place,
        district=district,
        network_hubs=hub_selectors.hubs_by_network(resolved, networks),
        # Dicts: the template reads them faster than model instances.
        nearest=[
            {
                "name": school.name,
                "postcode": school.postcode,
                "path": school_path(school.urn),
                "metres": metres,
            }
            for school, metres in school_selectors.list_nearest_schools(place)
        ],
    )
    return render(request, "public/find_your_hub_place.html", context)


@declare(Access.PUBLIC)
def school_detail(request, urn: int):
    try:
        school = school_selectors.get_school(urn)
    except School.DoesNotExist:
        raise Http404("No school has this URN") from None
    networks = hub_selectors.list_networks()
    resolved = hub_selectors.resolve_hubs_for_schools([school])[school.urn]
    network_hubs = hub_selectors.hubs_by_network(resolved, networks)
    return render(
        request,
        "public/school_detail.html",
        {
            "school": school,
            "successor": school.current_successor() if school.is_closed else None,
            "network_hubs": [_hub_panel(entry) for entry in network_hubs],
            # Where hub details were gathered from is for national staff who keep them.
            "shows_provenance": is_national_staff(request.user),
        },
    )


def _hub_panel(entry: hub_selectors.NetworkHub) -> dict:
    if entry.hub is None:
        return {"network": entry.network, "hub": None, "map": None}
    hub = hub_selectors.get_hub(entry.hub.slug)
    return {"network": entry.network, "hub": hub, "map": hub_area_map(hub)}


@declare(Access.PUBLIC)
def hub_list(request):
    hubs = hub_selectors.list_hubs()
    networks = hub_selectors.list_networks()
    by_network = [
        (network, [hub for hub in hubs if hub.network_id == network.pk]) for network in networks
    ]
    return render(request, "public/hub_list.html", {"by_network": by_network})


@declare(Access.PUBLIC)
def hub_detail(request, slug: str):
    try:
        hub = hub_selectors.get_hub(slug)
    except Hub.DoesNotExist:
        raise Http404("No hub has this address") from None
    return render(
        request,
        "public/hub_detail.html",
        {
            "hub": hub,
            "map": hub_area_map(hub),
            "shows_provenance": is_national_staff(request.user),
        },
    )


@declare(Access.PUBLIC)
def hub_change_request(request, urn: int):
    try:
        school = school_selectors.get_school(urn)
    except School.DoesNotExist:
        raise Http404("No school has this URN") from None
    hubs = hub_selectors.list_hubs().order_by("network__display_order", "name")
    form = HubChangeRequestForm(request.POST or None, hubs=hubs)
    if request.method == "POST" and form.is_valid():
        change = submit_hub_change_request(school=school, **form.cleaned_data)
        return render(
            request, "public/hub_change_request_done.html", {"school": school, "change": change}
        )
    return render(request, "public/hub_change_request.html", {"school": school, "form": form})


@declare(Access.PUBLIC)
def security_txt(request):
    """RFC 9116: how to report a security problem (contact from settings.SECURITY_CONTACT)."""
    expires = timezone.now() + datetime.timedelta(days=settings.SECURITY_TXT_EXPIRES_DAYS)
    lines = [
        f"Contact: {settings.SECURITY_CONTACT}",
        f"Expires: {expires.astimezone(datetime.UTC):%Y-%m-%dT%H:%M:%SZ}",
        "Preferred-Languages: en",
        f"Canonical: {settings.SITE_URL.rstrip('/')}/.well-known/security.txt",
    ]
    if settings.SECURITY_POLICY_URL:
        lines.append(f"Policy: {settings.SECURITY_POLICY_URL}")
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
