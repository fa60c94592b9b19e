"""Reads for reach, equity and impact: which schools each network reaches, and what changes.

Definitions (docs/insights.md): the schools counted are open, state-funded schools; a school is
engaged in a year for a network when at least one of its staff holds a participating place
(accepted, completed, not completed) on an offering of that network in that academic year, and
the school has confirmed that they work there (`Application.school_confirmed`).

Every figure is aggregated in the database. A school's hub is computed in SQL by a CASE built
from this process's hub directory (overrides, then districts, then whole authorities), so no
mapping table can go stale and no query per school is needed.
"""

import datetime
import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    FilteredRelation,
    FloatField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Cast, RowNumber
from django.db.models.lookups import Exact, IsNull

from cpdnet.applications.models import Application, State
from cpdnet.hubs.directory import get_hub_directory
from cpdnet.hubs.models import Hub, Network
from cpdnet.hubs.selectors import (
    hub_area_q,
    hub_authorities,
    hub_expression,
    hub_keys,
    sum_by_hub,
)
from cpdnet.schools.models import District, School
from cpdnet.schools.selectors import list_open_state_funded_schools as list_counted_schools
from cpdnet.schools.selectors import open_state_funded_q as _counted_q

from .models import ALL_PHASES, SchoolEngagement, Target

NOT_KNOWN = "unknown"
NO_HUB = "none"
SIZE_BANDS = (
    ("under-100", "Under 100 pupils", 0, 100),
    ("100-199", "100 to 199 pupils", 100, 200),
    ("200-399", "200 to 399 pupils", 200, 400),
    ("400-799", "400 to 799 pupils", 400, 800),
    ("800-plus", "800 pupils or more", 800, None),
)
TRUST_LABELS = {"trust": "In a trust", "standalone": "Standalone"}
QUINTILE_NAMES = {
    "1": "Q1 (least disadvantaged)",
    "2": "Q2",
    "3": "Q3",
    "4": "Q4",
    "5": "Q5 (most disadvantaged)",
}
DIMENSIONS = {
    "hub": "Hub",
    "local_authority": "Local authority",
    "region": "Region",
    "phase": "Phase",
    "fsm_quintile": "Free school meals quintile",
    "urban_rural": "Urban or rural",
    "trust": "Trust or standalone",
    "size_band": "Size (pupils)",
}
# Figures under this many are hidden in the evaluator's extract, with anything derived from them.
SUPPRESS_BELOW = 5
SUPPRESSED = "<5"


# --- The schools counted, and which hub serves each ------------------------------------------


# --- FSM quintiles ---------------------------------------------------------------------------


def fsm_quintile_cuts() -> tuple[Decimal, ...]:
    """Return the four national cut points of % FSM over the schools counted (nearest rank).

    Ranked in the database, which hands back four values instead of 20,000 to convert.
    """
    values = (
        list_counted_schools()
        .filter(percentage_fsm__isnull=False)
        .annotate(
            rank=Window(RowNumber(), order_by=[F("percentage_fsm").asc(), F("pk").asc()]),
            total=Window(Count("pk")),
        )
        .values("percentage_fsm", "rank", "total")
    )
    # Nearest rank of share/5: ceil(total * share / 5), in whole numbers.
    ranks = {share: (F("total") * share + 4) / 5 for share in range(1, 5)}
    cuts = (
        values.alias(**{f"rank_{share}": rank for share, rank in ranks.items()})
        .filter(
            Q(rank=F("rank_1")) | Q(rank=F("rank_2")) | Q(rank=F("rank_3")) | Q(rank=F("rank_4"))
        )
        .order_by("rank")
    )
    found = [(row["rank"], row["total"], row["percentage_fsm"]) for row in cuts]
    if not found:
        return ()
    by_rank = {rank: value for rank, _total, value in found}
    total = found[0][1]
    return tuple(by_rank[(total * share + 4) // 5] for share in range(1, 5))


def quintile_label(key: str, cuts: Sequence[Decimal]) -> str:
    if key == NOT_KNOWN or not cuts:
        return "Not known"
    index = int(key) - 1
    low = f"above {cuts[index - 1]}%" if index > 0 else "0%"
    high = f"{cuts[index]}%" if index < 4 else "100%"
    return f"{QUINTILE_NAMES[key]}: {low} to {high}"


def _quintile_expression(cuts: Sequence[Decimal], school: str = "") -> Case:
    whens = [When(**{f"{school}percentage_fsm__isnull": True}, then=Value(NOT_KNOWN))]
    whens += [
        When(**{f"{school}percentage_fsm__lte": cut}, then=Value(str(index)))
        for index, cut in enumerate(cuts, start=1)
    ]
    default = Value("5" if cuts else NOT_KNOWN)
    return Case(*whens, default=default, output_field=CharField())


def _size_expression(school: str = "") -> Case:
    whens = [When(**{f"{school}pupils__isnull": True}, then=Value(NOT_KNOWN))]
    whens += [
        When(**{f"{school}pupils__lt": high}, then=Value(key))
        for key, _label, _low, high in SIZE_BANDS
        if high
    ]
    return Case(*whens, default=Value(SIZE_BANDS[-1][0]), output_field=CharField())


def _known(field_name: str) -> Case:
    return Case(
        When(**{field_name: ""}, then=Value(NOT_KNOWN)),
        default=F(field_name),
        output_field=CharField(),
    )


def _trust_expression(school: str = "") -> Case:
    return Case(
        When(**{f"{school}trust_name": ""}, then=Value("standalone")),
        default=Value("trust"),
        output_field=CharField(),
    )


# --- Filters shared by every figure and its drill-down ----------------------------------------


@dataclass(frozen=True)
class ReachFilters:
    """Narrow the schools counted; each field holds a row key of its dimension ("" = any)."""

    hub: Hub | None = None
    no_hub: bool = False
    local_authority: str = ""
    district: str = ""
    region: str = ""
    phase: str = ""
    fsm_quintile: str = ""
    urban_rural: str = ""
    trust: str = ""
    size_band: str = ""

    def with_key(self, dimension: str, key: str) -> "ReachFilters":
        """Return these filters narrowed to one row of a breakdown."""
        if dimension == "hub":
            return self
        return replace(self, **{dimension: key})


def _dimension_expressions(cuts: Sequence[Decimal], school: str = "") -> dict:
    """Return each dimension's row key of a school; `school` as for `hub_expression`."""
    return {
        "local_authority": F(f"{school}la_code"),
        "district": F(f"{school}district_code"),
        "region": _known(f"{school}region_name"),
        "phase": _known(f"{school}phase"),
        "fsm_quintile": _quintile_expression(cuts, school),
        "urban_rural": _known(f"{school}urban_rural"),
        "trust": _trust_expression(school),
        "size_band": _size_expression(school),
    }


def _schools_q(
    network: Network, filters: ReachFilters, cuts: Sequence[Decimal], school: str = ""
) -> Q:
    """Return the condition on a school for being counted and passing the filters.

    `school` as for `hub_expression`: the figures filter applications on their school with it.
    """
    q = _counted_q(school)
    if filters.hub is not None:
        authorities = hub_authorities(filters.hub)
        q &= hub_area_q(filters.hub, school) & Exact(
            hub_expression(network, school, la_codes=authorities), filters.hub.pk
        )
    elif filters.no_hub:
        q &= IsNull(hub_expression(network, school), True)
    if filters.local_authority:
        q &= Q(**{f"{school}la_code": filters.local_authority})
    if filters.district:
        q &= Q(**{f"{school}district_code": filters.district})
    expressions = _dimension_expressions(cuts, school)
    for name in ("region", "phase", "fsm_quintile", "urban_rural", "trust", "size_band"):
        value = getattr(filters, name)
        if value:
            q &= Exact(expressions[name], value)
    return q


def _schools(network: Network, filters: ReachFilters, cuts: Sequence[Decimal]) -> QuerySet:
    """Return the counted schools narrowed by the filters, annotated with their hub id."""
    return _filtered_schools(network, filters, cuts).annotate(hub_pk=hub_expression(network))


def _filtered_schools(network: Network, filters: ReachFilters, cuts: Sequence[Decimal]):
    """Return the counted schools narrowed by the filters, for counting: no hub annotation,
    whose CASE of some 700 terms took longer to build than the counts to run."""
    return School.objects.filter(_schools_q(network, filters, cuts))


# --- Engagement -----------------------------------------------------------------------------


def _took_part_rows(
    network: Network, years: Iterable[int], *, completed: bool = False
) -> QuerySet[SchoolEngagement]:
    """Return the engagement rollup's rows of the network in those academic years: one per
    school that took part (see insights.engagement), or that completed with `completed`."""
    rows = SchoolEngagement.objects.filter(network_id=network.pk, academic_year__in=list(years))
    return rows.filter(completed__gt=0) if completed else rows


def engagement_refreshed_at() -> datetime.datetime | None:
    """When the engagement rollup last changed (None before it was first built): the pages show
    how fresh their figures are."""
    row = SchoolEngagement.objects.order_by("-refreshed_at").only("refreshed_at").first()
    return row.refreshed_at if row else None


def _few_schools(filters: ReachFilters) -> bool:
    """Whether the filters narrow the schools to one hub's or authority's few hundred."""
    return filters.hub is not None or bool(filters.local_authority or filters.district)


def _took_part_q(
    network: Network, years: Iterable[int], filters: ReachFilters, *, completed: bool = False
) -> Q | Exists:
    """Return a condition on a school: some of its staff took part in those years.

    Measured on PostgreSQL with national data (1.2 million applications): for one hub's 600
    schools a correlated EXISTS (an index probe per school on applications by school and
    state) takes 25 ms where `urn IN (subquery)` takes 420 ms, since the subquery reads the
    whole year's applications whatever the hub; for all 22,000 schools it is the other way
    round (2,100 ms against 440 ms: the subquery is evaluated once and hashed). SQLite is
    fast with either.
    """
    rows = _took_part_rows(network, years, completed=completed)
    if _few_schools(filters):
        return Exists(rows.filter(school_id=OuterRef("pk")))
    return Q(pk__in=rows.values("school_id"))


def _engaged_q(network: Network, year: int, filters: ReachFilters) -> Q | Exists:
    return _took_part_q(network, [year], filters)


def _completed_q(network: Network, year: int, filters: ReachFilters) -> Q | Exists:
    return _took_part_q(network, [year], filters, completed=True)


# --- Reach: counts and rates ------------------------------------------------------------------


@dataclass
class ReachRow:
    key: str
    label: str
    schools: int
    engaged: int
    completed: int = 0
    target: Decimal | None = None  # % of schools, where national staff set one

    @property
    def rate(self) -> float:
        """Engaged as a share of schools counted (0 to 1)."""
        return self.engaged / self.schools if self.schools else 0.0

    @property
    def completed_rate(self) -> float:
        return self.completed / self.schools if self.schools else 0.0

    @property
    def percent(self) -> float:
        return round(self.rate * 100, 1)

    @property
    def meets_target(self) -> bool | None:
        return None if self.target is None else Decimal(str(self.percent)) >= self.target


@dataclass
class Reach:
    network: Network
    year: int
    dimension: str
    rows: list[ReachRow]
    total: ReachRow
    filters: ReachFilters = field(default_factory=ReachFilters)
    cuts: tuple[Decimal, ...] = ()

    @property
    def dimension_label(self) -> str:
        return DIMENSIONS.get(self.dimension, self.dimension)


def _counts(network: Network, year: int, filters: ReachFilters) -> dict:
    return {
        "schools": Count("pk"),
        "engaged": Count("pk", filter=_engaged_q(network, year, filters)),
        "completed": Count("pk", filter=_completed_q(network, year, filters)),
    }


def _took_part_groups(network: Network, years: Iterable[int], schools_q: Q, **keys) -> QuerySet:
    """Return the schools that took part (`engaged`, `completed`) counted from their rollup
    rows grouped by `keys`, expressions on a rollup row; `schools_q` is `_schools_q` on its
    school.

    One pass over the rows, where a condition per figure on every school (`COUNT(...) FILTER
    (WHERE urn IN (subquery))`) read them once per figure (over the applications, before the
    rollup: 270 ms against 620 ms for a national breakdown on PostgreSQL). A school has one
    row per network and year, so with one year, or the year as a key, rows are counted
    without DISTINCT, which let PostgreSQL hash the groups instead of sorting every row.
    """
    years = list(years)
    distinct = len(years) > 1 and not any(
        isinstance(key, F) and key.name == "academic_year" for key in keys.values()
    )
    return (
        _took_part_rows(network, years)
        .filter(schools_q)
        .values(**keys)
        .order_by()
        .annotate(
            engaged=Count("school", distinct=distinct),
            completed=Count("school", distinct=distinct, filter=Q(completed__gt=0)),
        )
    )


def _with_took_part(schools: QuerySet, network: Network, year: int) -> QuerySet:
    """Join each school to its rollup row of the network and year, if any (`took_part`).

    At most one row per school (the rollup's unique key), so grouped counts of schools stay
    right; counting schools and those that took part in the same pass reads the schools once
    where two queries (schools, then rollup rows) read them twice.
    """
    return schools.annotate(
        took_part=FilteredRelation(
            "engagement_rollups",
            condition=Q(
                engagement_rollups__network_id=network.pk,
                engagement_rollups__academic_year=year,
            ),
        )
    )


# Schools counted, engaged and completed, over _with_took_part's schools.
TOOK_PART_COUNTS = {
    "schools": Count("pk"),
    "engaged": Count("took_part__id"),
    "completed": Count("took_part__id", filter=Q(took_part__completed__gt=0)),
}


def _took_part_by(network: Network, years: Iterable[int], schools_q: Q, key) -> dict:
    """Return {key: (engaged, completed)}; `key` as for `_took_part_groups`."""
    groups = _took_part_groups(network, years, schools_q, key=key)
    return {group["key"]: (group["engaged"], group["completed"]) for group in groups}


def _hub_counts(network: Network, year: int, schools: QuerySet) -> list[dict]:
    """Return per hub (`key`: hub id or None): schools counted, engaged, completed."""
    totals = sum_by_hub(
        network,
        _with_took_part(schools, network, year)
        .values(**hub_keys(network))
        .order_by()
        .annotate(**TOOK_PART_COUNTS),
        ("schools", "engaged", "completed"),
    )
    return [{"key": hub_id, **row} for hub_id, row in totals.items()]


def _grouped_counts(schools: QuerySet, network: Network, year: int, key, **extra) -> list[dict]:
    """Return per row: its `key`, schools counted (with `extra` aggregates), engaged, completed,
    in one query (`key` gives a school's row)."""
    return list(
        _with_took_part(schools, network, year)
        .annotate(key=key)
        .values("key")
        .order_by()
        .annotate(**TOOK_PART_COUNTS, **extra)
    )


def _cuts_for(filters: ReachFilters, dimension: str = "") -> tuple[Decimal, ...]:
    """Return the FSM cut points when a quintile is shown or filtered on, else none.

    Reading the 20,000 values costs a query and their conversion; the other figures need none.
    """
    needed = dimension == "fsm_quintile" or bool(filters.fsm_quintile)
    return fsm_quintile_cuts() if needed else ()


def _hub_rows(grouped: list[dict], network: Network) -> list[ReachRow]:
    hubs = {hub.pk: hub for hub in get_hub_directory().hubs if hub.network_id == network.pk}
    rows = {hub.pk: ReachRow(hub.slug, hub.name, 0, 0) for hub in hubs.values()}
    unserved = ReachRow(NO_HUB, "No hub", 0, 0)
    for group in grouped:
        row = rows.get(group["key"], unserved)
        row.schools, row.engaged, row.completed = (
            group["schools"],
            group["engaged"],
            group["completed"],
        )
    ordered = sorted(rows.values(), key=lambda row: row.label)
    return ordered + ([unserved] if unserved.schools else [])


def _label(dimension: str, key: str, cuts: Sequence[Decimal], group: dict) -> str:
    if dimension == "fsm_quintile":
        return quintile_label(key, cuts)
    if dimension == "size_band":
        return {band[0]: band[1] for band in SIZE_BANDS}.get(key, "Not known")
    if dimension == "trust":
        return TRUST_LABELS[key]
    if dimension in ("local_authority", "district"):
        return group.get("name") or key or "Not known"
    return "Not known" if key == NOT_KNOWN else key


def _sort_key(dimension: str, row: ReachRow) -> tuple:
    if dimension == "fsm_quintile":
        return (row.key == NOT_KNOWN, row.key)
    if dimension == "size_band":
        order = [band[0] for band in SIZE_BANDS]
        return (row.key not in order, order.index(row.key) if row.key in order else 0)
    return (row.key in (NOT_KNOWN, ""), row.label)


def reach_breakdown(
    network: Network,
    year: int,
    dimension: str,
    *,
    filters: ReachFilters | None = None,
    hub_ids: Iterable[int] | None = None,
) -> Reach:
    """Return schools counted, engaged and completed per row of one dimension, with totals.

    Two grouped queries (schools, applications), after one for the FSM cut points where
    quintiles are shown or filtered.
    """
    if dimension not in DIMENSIONS and dimension != "district":
        raise ValueError(f"Unknown dimension {dimension!r}")
    filters = filters or ReachFilters()
    cuts = _cuts_for(filters, dimension)
    schools = _filtered_schools(network, filters, cuts)
    if dimension == "hub":
        rows = _hub_rows(_hub_counts(network, year, schools), network)
        if hub_ids is not None:
            allowed = {hub.slug for hub in get_hub_directory().hubs if hub.pk in set(hub_ids)}
            rows = [row for row in rows if row.key in allowed]
        total = ReachRow(
            "total",
            "All schools counted" if hub_ids is None else "All your hubs",
            sum(row.schools for row in rows),
            sum(row.engaged for row in rows),
            sum(row.completed for row in rows),
        )
    else:
        name = {"name": Max("la_name")} if dimension == "local_authority" else {}
        key = _dimension_expressions(cuts)[dimension]
        grouped = _grouped_counts(schools, network, year, key, **name)
        if dimension == "district":
            names = dict(
                District.objects.filter(code__in=[g["key"] for g in grouped]).values_list(
                    "code", "name"
                )
            )
            for group in grouped:
                group["name"] = names.get(group["key"], "")
        rows = sorted(
            (
                ReachRow(
                    str(group["key"]),
                    _label(dimension, str(group["key"]), cuts, group),
                    group["schools"],
                    group["engaged"],
                    group["completed"],
                )
                for group in grouped
            ),
            key=lambda row: _sort_key(dimension, row),
        )
        total = ReachRow(
            "total",
            "All schools counted",
            sum(row.schools for row in rows),
            sum(row.engaged for row in rows),
            sum(row.completed for row in rows),
        )
    return Reach(network, year, dimension, rows, total, filters, cuts)


def reach_by_hub(network: Network, year: int, *, hub_ids: Iterable[int] | None = None) -> Reach:
    """Return each hub's schools counted, engaged and rate in a year, plus totals.

    `hub_ids` keeps only those hubs (hub staff); the total then adds up those hubs only.
    """
    return reach_breakdown(network, year, "hub", hub_ids=hub_ids)


def reach_trend(
    network: Network, years: Sequence[int], *, filters: ReachFilters | None = None
) -> list[ReachRow]:
    """Return one row per academic year (oldest first) in two queries at most."""
    filters = filters or ReachFilters()
    cuts = _cuts_for(filters)
    schools = _filtered_schools(network, filters, cuts)
    if connection.vendor == "postgresql":
        # The applications of every year grouped by year, read once: a condition per year and
        # figure on every school read them ten times for five years (3.1 s against 0.8 s with
        # 1.2 million applications). SQLite is the other way round (1.4 s against 0.85 s):
        # it looks up the school of each of the 630,000 applications, where each condition is
        # one pass over a year's applications into a temporary index.
        counted = schools.order_by().count()
        schools_q = _schools_q(network, filters, cuts, "school__")
        by_year = _took_part_by(network, years, schools_q, F("academic_year"))
    else:
        counts = {"schools": Count("pk")}
        for year in years:
            counts[f"engaged_{year}"] = Count("pk", filter=_engaged_q(network, year, filters))
            counts[f"completed_{year}"] = Count("pk", filter=_completed_q(network, year, filters))
        totals = schools.order_by().aggregate(**counts)
        counted = totals["schools"]
        by_year = {year: (totals[f"engaged_{year}"], totals[f"completed_{year}"]) for year in years}
    return [
        ReachRow(str(year), f"{year}/{(year + 1) % 100:02d}", counted, *by_year.get(year, (0, 0)))
        for year in sorted(years)
    ]


def target_rates(network: Network, year: int) -> dict[str, Decimal]:
    """Return {phase or "all": target %} for a year; a year's own target beats a standing one."""
    rates: dict[str, Decimal] = {}
    targets = Target.objects.filter(Q(academic_year=year) | Q(academic_year__isnull=True))
    for phase, target_year, rate in targets.filter(network=network).values_list(
        "phase", "academic_year", "rate"
    ):
        if target_year is not None or phase not in rates:
            rates[phase] = rate
    return rates


def apply_targets(reach: Reach, rates: dict[str, Decimal]) -> Reach:
    """Set each row's target: its phase's on a phase breakdown, else the all-phases one."""
    for row in reach.rows:
        row.target = rates.get(row.key) if reach.dimension == "phase" else rates.get(ALL_PHASES)
    reach.total.target = rates.get(ALL_PHASES)
    return reach


# --- Equity -----------------------------------------------------------------------------------


@dataclass
class Equity:
    hub: Hub
    year: int
    quintiles: Reach
    gap: float | None  # percentage points, Q5 rate minus Q1 rate
    cold_spots: list[tuple[str, ReachRow]]  # ("Local authority" or "District", row)
    never_years: int
    hub_row: ReachRow
    authorities: Reach  # the hub's local-authority breakdown the cold spots come from


# An area with fewer schools than this is too small to call a cold spot.
COLD_SPOT_MIN_SCHOOLS = 5


def _cold_spots(reach: Reach, hub_rate: float, kind: str) -> list[tuple[str, ReachRow]]:
    return [
        (kind, row)
        for row in reach.rows
        if row.schools >= COLD_SPOT_MIN_SCHOOLS and hub_rate > 0 and row.rate < hub_rate / 2
    ]


def equity_for_hub(hub: Hub, year: int, *, never_years: int = 3) -> Equity:
    """Return a hub's engagement by FSM quintile, the Q5 - Q1 gap and its cold spots.

    Cold spot: an authority or district of the hub's area with at least
    COLD_SPOT_MIN_SCHOOLS schools counted whose rate is below half the hub's rate.
    """
    network = hub.network
    filters = ReachFilters(hub=hub)
    quintiles = reach_breakdown(network, year, "fsm_quintile", filters=filters)
    by_key = {row.key: row for row in quintiles.rows}
    gap = None
    if by_key.get("5") and by_key.get("1") and by_key["5"].schools and by_key["1"].schools:
        gap = round((by_key["5"].rate - by_key["1"].rate) * 100, 1)
    hub_row = quintiles.total
    authorities = reach_breakdown(network, year, "local_authority", filters=filters)
    districts = reach_breakdown(network, year, "district", filters=filters)
    spots = _cold_spots(authorities, hub_row.rate, "Local authority")
    if len(districts.rows) > len(authorities.rows):
        spots += _cold_spots(districts, hub_row.rate, "District")
    return Equity(hub, year, quintiles, gap, spots, never_years, hub_row, authorities)


def list_never_engaged_schools(hub: Hub, year: int, *, years: int = 3) -> QuerySet[School]:
    """Return the hub's counted schools with no participation in `years` years up to `year`.

    Ordered by disadvantage: highest % FSM first, unknown last, then by name.
    """
    recent = range(year - years + 1, year + 1)
    filters = ReachFilters(hub=hub)
    # An anti-join: with NOT IN (subquery) PostgreSQL cannot make one and, the subquery being
    # too big to hash in work_mem, scanned it again for every school (20 s at national scale).
    return (
        _schools(hub.network, filters, ())
        .exclude(_took_part_q(hub.network, recent, filters))
        .order_by(F("percentage_fsm").desc(nulls_last=True), "name", "pk")
    )


# --- The schools behind a figure ---------------------------------------------------------------


def list_reach_schools(
    network: Network, year: int, filters: ReachFilters, *, engaged: str = ""
) -> QuerySet[School]:
    """Return the schools behind a figure, annotated `hub_pk`, `is_engaged`, `is_completed`.

    `engaged`: "yes", "no" or "completed" narrows to those schools; "" keeps all.
    """
    engaged_q = _engaged_q(network, year, filters)
    completed_q = _completed_q(network, year, filters)
    schools = _schools(network, filters, _cuts_for(filters)).annotate(
        is_engaged=ExpressionWrapper(engaged_q, output_field=BooleanField()),
        is_completed=ExpressionWrapper(completed_q, output_field=BooleanField()),
    )
    if engaged == "yes":
        schools = schools.filter(engaged_q)
    elif engaged == "no":
        schools = schools.exclude(engaged_q)
    elif engaged == "completed":
        schools = schools.filter(completed_q)
    return schools.order_by("name", "pk")


def hub_names(network: Network) -> dict[int, Hub]:
    """Return the network's hubs by id, from the directory (no query)."""
    return {hub.pk: hub for hub in get_hub_directory().hubs if hub.network_id == network.pk}


SCHOOL_CSV_HEADER = (
    "URN",
    "school",
    "local authority",
    "phase",
    "% FSM",
    "pupils",
    "trust",
    "hub",
    "engaged",
    "completed",
)


def iter_school_rows(schools: QuerySet, network: Network) -> Iterator[tuple]:
    """Yield the schools CSV rows (SCHOOL_CSV_HEADER) in chunks, without model objects.

    Schools from `list_reach_schools` carry the engaged and completed columns; others (the
    never-engaged list) stop at the hub column.
    """
    hubs = hub_names(network)
    columns = ("urn", "name", "la_name", "phase", "percentage_fsm", "pupils", "trust_name")
    if "is_engaged" in schools.query.annotations:
        columns += ("hub_pk", "is_engaged", "is_completed")
    else:
        columns += ("hub_pk",)
    for values in schools.values_list(*columns).iterator(chunk_size=2000):
        hub = hubs.get(values[7])
        flags = tuple("yes" if flag else "no" for flag in values[8:])
        yield (*values[:7], hub.slug if hub else "", *flags)


def iter_reach_rows(reach: Reach) -> Iterator[tuple]:
    """Yield `hub, schools, engaged, rate` rows of a reach table (rate 0 to 1, 4 places)."""
    for row in reach.rows:
        yield (row.key, row.schools, row.engaged, round(row.rate, 4))


REACH_CSV_HEADER = ("hub", "schools", "engaged", "rate")


# --- The evaluator's anonymised extract ------------------------------------------------------

EXTRACT_HEADER = (
    "network",
    "academic year",
    "local authority code",
    "local authority",
    "phase",
    "FSM quintile",
    "schools",
    "engaged",
    "completed",
    "engagement rate",
)


def suppress(count: int) -> int | str:
    """Return a count, or "<5" when it is under SUPPRESS_BELOW (it could identify a school)."""
    return SUPPRESSED if count < SUPPRESS_BELOW else count


def iter_extract_rows(year: int, networks: Iterable[Network] | None = None) -> Iterator[tuple]:
    """Yield the anonymised extract: counts per network, authority, phase and FSM quintile.

    No names, URNs or emails. Counts under 5 are shown as "<5" and the rate derived from them
    is left blank.
    """
    cuts = fsm_quintile_cuts()
    for network in networks if networks is not None else Network.objects.all():
        grouped = (
            _schools(network, ReachFilters(), cuts)
            .annotate(phase_key=_known("phase"), quintile=_quintile_expression(cuts))
            .values("la_code", "phase_key", "quintile")
            .order_by("la_code", "phase_key", "quintile")
            .annotate(**_counts(network, year, ReachFilters()), la=Max("la_name"))
        )
        for group in grouped.iterator(chunk_size=2000):
            schools, engaged = group["schools"], group["engaged"]
            hidden = schools < SUPPRESS_BELOW or engaged < SUPPRESS_BELOW
            yield (
                network.slug,
                year,
                group["la_code"],
                group["la"],
                "Not known" if group["phase_key"] == NOT_KNOWN else group["phase_key"],
                "Not known" if group["quintile"] == NOT_KNOWN else f"Q{group['quintile']}",
                suppress(schools),
                suppress(engaged),
                suppress(group["completed"]),
                "" if hidden else round(engaged / schools, 4),
            )


# --- Impact -----------------------------------------------------------------------------------

# Two-sided 95% critical values of Student's t by degrees of freedom; beyond 30 the normal 1.96.
T_95 = (
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
    2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
    2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
)  # fmt: skip


def t_critical(degrees_of_freedom: int) -> float:
    if degrees_of_freedom < 1:
        raise ValueError("At least one degree of freedom is needed")
    if degrees_of_freedom <= len(T_95):
        return T_95[degrees_of_freedom - 1]
    return 1.96


def mean_confidence_interval(n: int, mean: float, sum_of_squares: float) -> tuple | None:
    """Return the 95% interval (low, high) of a mean difference, or None when n < 2."""
    if n < 2:
        return None
    variance = max((sum_of_squares - n * mean * mean) / (n - 1), 0.0)
    half = t_critical(n - 1) * math.sqrt(variance / n)
    return (round(mean - half, 2), round(mean + half, 2))


@dataclass
class CompletionRow:
    programme: str
    hub: str
    completed: int
    not_completed: int

    @property
    def rate(self) -> float | None:
        finished = self.completed + self.not_completed
        return self.completed / finished if finished else None

    @property
    def percent(self) -> float | None:
        return None if self.rate is None else round(self.rate * 100, 1)


@dataclass
class ChangeRow:
    programme: str
    hub: str
    question: str
    respondents: int
    mean_change: float
    interval: tuple[float, float] | None


@dataclass
class CascadeRow:
    programme: str
    hub: str
    records: int
    colleagues: int
    classes: int


@dataclass
class Impact:
    completion: list[CompletionRow]
    changes: list[ChangeRow]
    cascade: list[CascadeRow]

    @property
    def colleagues(self) -> int:
        return sum(row.colleagues for row in self.cascade)

    @property
    def classes(self) -> int:
        return sum(row.classes for row in self.cascade)


def _scope_applications(prefix: str, hub_ids, year) -> Q:
    q = Q()
    if hub_ids is not None:
        q &= Q(**{f"{prefix}offering__hub_id__in": list(hub_ids)})
    if year is not None:
        q &= Q(**{f"{prefix}offering__academic_year": year})
    return q


def list_paired_changes(*, hub_ids: Iterable[int] | None = None, year: int | None = None):
    """Return per programme, hub and question: respondents, mean change and sum of squares.

    The pairs are `cpdnet.evaluation.selectors.list_paired_scores` (one participant's start and
    end score on the same question); the change is end minus start.
    """
    from cpdnet.evaluation.models import QuestionCategory
    from cpdnet.evaluation.selectors import list_paired_scores

    return (
        list_paired_scores()
        .filter(
            _scope_applications("response__application__", hub_ids, year),
            question__category__in=[QuestionCategory.CONFIDENCE, QuestionCategory.PRACTICE],
        )
        .annotate(change=Cast(F("end_score") - F("start_score"), FloatField()))
        .values(
            programme=F("response__application__offering__programme__title"),
            hub=F("response__application__offering__hub__name"),
            question_text=F("question__text"),
        )
        .order_by("programme", "hub", "question_text")
        .annotate(
            respondents=Count("pk"),
            total=Sum("change"),
            squares=Sum(F("change") * F("change")),
        )
    )


def impact(*, hub_ids: Iterable[int] | None = None, year: int | None = None) -> Impact:
    """Return completion rates, survey change with 95% intervals and cascade totals."""
    from cpdnet.delivery.models import Cascade

    hub_ids = list(hub_ids) if hub_ids is not None else None
    completion = [
        CompletionRow(**row)
        for row in Application.objects.filter(
            _scope_applications("", hub_ids, year),
            state__in=[State.COMPLETED, State.NOT_COMPLETED],
        )
        .values(programme=F("offering__programme__title"), hub=F("offering__hub__name"))
        .order_by("programme", "hub")
        .annotate(
            completed=Count("pk", filter=Q(state=State.COMPLETED)),
            not_completed=Count("pk", filter=Q(state=State.NOT_COMPLETED)),
        )
    ]
    changes = []
    for row in list_paired_changes(hub_ids=hub_ids, year=year):
        n = row["respondents"]
        mean = row["total"] / n
        changes.append(
            ChangeRow(
                row["programme"],
                row["hub"],
                row["question_text"],
                n,
                round(mean, 2),
                mean_confidence_interval(n, mean, row["squares"]),
            )
        )
    cascade = [
        CascadeRow(**row)
        for row in Cascade.objects.filter(_scope_applications("application__", hub_ids, year))
        .values(
            programme=F("application__offering__programme__title"),
            hub=F("application__offering__hub__name"),
        )
        .order_by("programme", "hub")
        .annotate(
            records=Count("pk"),
            colleagues=Sum("colleagues_involved"),
            classes=Sum("classes_reached"),
        )
    ]
    return Impact(completion, changes, cascade)
