"""Reads of networks, hubs and their areas, and which hub serves a school or a place."""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)

from cpdnet.schools.models import District, LocalAuthority, School
from cpdnet.schools.selectors import list_open_state_funded_schools

from .directory import get_hub_directory
from .models import Hub, HubArea, HubSchoolOverride, Network


def list_networks() -> list[Network]:
    return get_hub_directory().networks


def list_all_hubs() -> list[Hub]:
    """Every hub with its network and lead school, from this process's directory."""
    return get_hub_directory().hubs


def list_hubs(network_slug: str | None = None) -> QuerySet[Hub]:
    hubs = Hub.objects.select_related("network", "lead_school")
    if network_slug:
        hubs = hubs.filter(network__slug=network_slug)
    return hubs


def get_hub(slug: str) -> Hub:
    """Return a hub with its network, lead school and areas, or raise Hub.DoesNotExist."""
    return (
        Hub.objects.select_related("network", "lead_school")
        .prefetch_related(
            Prefetch(
                "areas",
                queryset=HubArea.objects.select_related("local_authority", "district"),
            )
        )
        .get(slug=slug)
    )


def resolve_hubs_for_schools(schools: Iterable[School]) -> dict[int, dict[int, Hub]]:
    """Return {URN: {network id: hub}} for many schools, without a query per school."""
    directory = get_hub_directory()
    return {
        school.urn: directory.hubs_for(school.la_code, school.district_code, school.urn)
        for school in schools
    }


def list_hubs_for_school_values(school: dict) -> list[Hub]:
    """Return a school's hubs in network order, from its urn, la_code and district_code."""
    resolved = get_hub_directory().hubs_for(
        school["la_code"], school["district_code"], school["urn"]
    )
    return sorted(resolved.values(), key=lambda hub: hub.network.display_order)


def get_district(code: str) -> District | None:
    """Return a district with its local authority, or None (from this process's directory)."""
    return get_hub_directory().districts.get(code)


def resolve_hubs_for_place(la_code: str, district_code: str) -> dict[int, Hub]:
    """Return {network id: hub} for a place given by authority and district."""
    return get_hub_directory().hubs_for(la_code, district_code)


def hub_expression(
    network: Network, school: str = "", *, la_codes: Iterable[str] | None = None
) -> Case:
    """Return a SQL CASE giving a school's hub id in the network (NULL where no hub serves).

    Same rule as the hub directory: a per-school override, else the hub of the school's district
    (where the authority is split), else the hub of its whole authority. `school` is the path
    to the school from the model queried (`"school__"` from an application), "" for schools.
    With `la_codes`, only the areas of those authorities are written out: the CASE is then
    right for schools of those authorities and for overridden ones (a hub's page filters on
    them first, and a CASE of the whole country cost more than the page's queries).
    """
    directory = get_hub_directory()
    authorities = None if la_codes is None else set(la_codes)
    whens = []
    overrides: dict[int, list[int]] = {}
    for urn, hubs in directory.overrides.items():
        if network.pk in hubs:
            overrides.setdefault(hubs[network.pk].pk, []).append(urn)
    whens += [
        When(**{f"{school}pk__in": urns}, then=Value(hub_id))
        for hub_id, urns in sorted(overrides.items())
    ]
    districts: dict[tuple[int, str], list[str]] = {}
    whole: dict[int, list[str]] = {}
    for la_code, rows in sorted(directory.areas.items()):
        if authorities is not None and la_code not in authorities:
            continue
        for network_id, district, hub in rows:
            if network_id != network.pk:
                continue
            if district is None:
                whole.setdefault(hub.pk, []).append(la_code)
            else:
                districts.setdefault((hub.pk, la_code), []).append(district)
    whens += [
        When(
            **{f"{school}la_code": la_code, f"{school}district_code__in": codes},
            then=Value(hub_id),
        )
        for (hub_id, la_code), codes in sorted(districts.items())
    ]
    whens += [
        When(**{f"{school}la_code__in": codes}, then=Value(hub_id))
        for hub_id, codes in sorted(whole.items())
    ]
    return Case(*whens, default=Value(None), output_field=IntegerField())


@dataclass(frozen=True)
class NetworkHub:
    network: Network
    hub: Hub | None


def hub_authorities(hub: Hub) -> list[str]:
    """The codes of the authorities where the hub serves some or all of the schools."""
    return [
        la_code
        for la_code, rows in get_hub_directory().areas.items()
        if any(row_hub.pk == hub.pk for _, _, row_hub in rows)
    ]


def hub_area_q(hub: Hub, school: str = "") -> Q:
    """A cheap, indexed superset of a hub's schools, checked exactly by the hub CASE after."""
    directory = get_hub_directory()
    urns = [urn for urn, hubs in directory.overrides.items() if hubs.get(hub.network_id) == hub]
    return Q(**{f"{school}la_code__in": hub_authorities(hub)}) | Q(**{f"{school}pk__in": urns})


def hub_keys(network: Network, school: str = "") -> dict:
    """Return what decides a school's hub, as `values()` expressions: its authority, its
    district, and its URN where an override of the network names it; `school` as for
    `hub_expression`."""
    directory = get_hub_directory()
    overridden = [urn for urn, hubs in directory.overrides.items() if network.pk in hubs]
    return {
        "area": F(f"{school}la_code"),
        "district": F(f"{school}district_code"),
        "override": Case(
            When(**{f"{school}pk__in": overridden}, then=F(f"{school}pk")), default=Value(None)
        ),
    }


def sum_by_hub(network: Network, groups: Iterable[dict], fields: Sequence[str]) -> dict:
    """Return {hub id or None: {field: sum}} of groups made by `hub_keys`.

    The groups (a few hundred) get their hub from the directory: the hub CASE on every school
    and application cost more than the rest of the queries (SQLite: 450 against 190 ms for the
    applications of a year).
    """
    directory = get_hub_directory()
    totals: dict[int | None, dict[str, int]] = {}
    for group in groups:
        hubs = directory.hubs_for(group["area"], group["district"], group["override"])
        row = totals.setdefault(
            hubs[network.pk].pk if network.pk in hubs else None, dict.fromkeys(fields, 0)
        )
        for name in fields:
            row[name] += group[name]
    return totals


def hubs_by_network(resolved: dict[int, Hub], networks: list[Network]) -> list[NetworkHub]:
    """Return one entry per network, in network order, with None where no hub serves."""
    return [NetworkHub(network, resolved.get(network.pk)) for network in networks]


def list_schools_without_hub(network: Network) -> QuerySet[School]:
    """Return open state-funded schools that no hub of the network serves."""
    areas = HubArea.objects.filter(network=network, local_authority_id=OuterRef("la_code"))
    return (
        list_open_state_funded_schools()
        .exclude(Exists(HubSchoolOverride.objects.filter(network=network, school=OuterRef("pk"))))
        .exclude(Exists(areas.filter(district_id=OuterRef("district_code"))))
        .exclude(Exists(areas.filter(district__isnull=True)))
    )


@dataclass(frozen=True)
class AuthorityCoverage:
    local_authority: LocalAuthority
    hubs: list[Hub]
    whole_authority_hub: Hub | None
    districts_total: int
    districts_named: int

    @property
    def has_no_hub(self) -> bool:
        return self.whole_authority_hub is None and self.districts_named < self.districts_total

    @property
    def is_split(self) -> bool:
        return len(self.hubs) > 1


def list_authority_coverage(network: Network) -> list[AuthorityCoverage]:
    """Return each authority with the hubs of a network that serve it, for national staff."""
    authorities = LocalAuthority.objects.annotate(districts_total=Count("districts")).order_by(
        "name"
    )
    areas: dict[str, list[HubArea]] = defaultdict(list)
    for area in HubArea.objects.filter(network=network).select_related("hub"):
        areas[area.local_authority_id].append(area)
    coverage = []
    for authority in authorities:
        rows = areas.get(authority.code, [])
        whole = next((row.hub for row in rows if row.district_id is None), None)
        hubs = list({row.hub.pk: row.hub for row in rows}.values())
        coverage.append(
            AuthorityCoverage(
                local_authority=authority,
                hubs=sorted(hubs, key=lambda hub: hub.name),
                whole_authority_hub=whole,
                districts_total=authority.districts_total,
                districts_named=len({row.district_id for row in rows if row.district_id}),
            )
        )
    return coverage
