"""PD leadership capacity: accredited PD Leads in force per phase, against the schools a hub
serves and the offerings it runs, for the hub dashboard and insights.

Counted in the database, a fixed number of queries whatever the number of hubs or leads: one
for the schools (grouped by the hub serving each), one for the accreditations, one for the
offerings.
"""

import datetime
import operator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import reduce

from django.db.models import Count, Q
from django.utils import timezone

from cpdnet.hubs.directory import get_hub_directory
from cpdnet.hubs.models import Hub, Network
from cpdnet.hubs.selectors import hub_area_q, hub_keys, sum_by_hub
from cpdnet.programmes.models import SCHOOL_PHASES, Offering, Phase
from cpdnet.schools.selectors import list_open_state_funded_schools

from .facilitators import valid_accreditations

# The phases a PD Lead is accredited for (one national programme per phase).
PHASES = (Phase.EARLY_YEARS, Phase.PRIMARY, Phase.SECONDARY, Phase.POST_16)


def _gias_phases(phase: str) -> list[str]:
    """The GIAS phase names of schools that teach a programme phase."""
    return sorted(name for name, phases in SCHOOL_PHASES.items() if phase in phases)


@dataclass(frozen=True)
class PhaseCapacity:
    phase: str
    accredited_leads: int
    schools: int
    offerings: int

    @property
    def phase_label(self) -> str:
        return str(Phase(self.phase).label)

    @property
    def schools_per_lead(self) -> Decimal | None:
        """Schools served for each accredited lead (None with no lead: nobody to share them)."""
        if not self.accredited_leads:
            return None
        return (Decimal(self.schools) / self.accredited_leads).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP
        )


@dataclass(frozen=True)
class HubCapacity:
    hub: Hub
    phases: list[PhaseCapacity]

    @property
    def accredited_leads(self) -> int:
        return sum(row.accredited_leads for row in self.phases)


def _phase_counts(prefix: str, field: str) -> dict[str, Count]:
    return {phase: Count("pk", filter=Q(**{f"{prefix}{field}": phase})) for phase in PHASES}


def _school_counts(network: Network, hubs: list[Hub] | None) -> dict[int, dict[str, int]]:
    """{hub id: {phase: open state-funded schools it serves teaching that phase}}, for these
    hubs (None: every hub of the network).

    Grouped by what decides a school's hub, which the directory then resolves: the hub CASE
    on every school took 60 ms of the national page, and 120 ms of a hub's, at national scale.
    """
    schools = list_open_state_funded_schools()
    if hubs is not None:
        schools = schools.filter(reduce(operator.or_, (hub_area_q(hub) for hub in hubs)))
    phases = {phase: Count("pk", filter=Q(phase__in=_gias_phases(phase))) for phase in PHASES}
    groups = schools.values(**hub_keys(network)).order_by().annotate(**phases)
    totals = sum_by_hub(network, groups, PHASES)
    return {hub_id: row for hub_id, row in totals.items() if hub_id is not None}


def _lead_counts(hub_ids: list[int], on: datetime.date) -> dict[int, dict[str, int]]:
    rows = (
        valid_accreditations(on=on)
        .filter(hub_id__in=hub_ids)
        .order_by()
        .values("hub_id")
        .annotate(**_phase_counts("", "phase"))
    )
    return {row["hub_id"]: {phase: row[phase] for phase in PHASES} for row in rows}


def _offering_counts(hub_ids: list[int], year: int) -> dict[int, dict[str, int]]:
    rows = (
        Offering.objects.filter(hub_id__in=hub_ids, academic_year=year)
        .order_by()
        .values("hub_id")
        .annotate(**_phase_counts("programme__", "phase"))
    )
    return {row["hub_id"]: {phase: row[phase] for phase in PHASES} for row in rows}


def _capacities(
    hubs: list[Hub], network: Network, *, year: int, on: datetime.date, all_hubs: bool
) -> list[HubCapacity]:
    hub_ids = [hub.pk for hub in hubs]
    schools = _school_counts(network, None if all_hubs else hubs)
    leads = _lead_counts(hub_ids, on)
    offerings = _offering_counts(hub_ids, year)
    empty = dict.fromkeys(PHASES, 0)
    return [
        HubCapacity(
            hub=hub,
            phases=[
                PhaseCapacity(
                    phase=phase,
                    accredited_leads=leads.get(hub.pk, empty)[phase],
                    schools=schools.get(hub.pk, empty)[phase],
                    offerings=offerings.get(hub.pk, empty)[phase],
                )
                for phase in PHASES
            ],
        )
        for hub in hubs
    ]


def leadership_capacity(
    hub: Hub, *, year: int, on: datetime.date | None = None
) -> list[PhaseCapacity]:
    """One hub's accredited PD Leads in force per phase, with the open state-funded schools it
    serves that teach the phase and its offerings of the phase's programmes in the year."""
    on = on or timezone.localdate()
    return _capacities([hub], hub.network, year=year, on=on, all_hubs=False)[0].phases


def capacity_for_hubs(
    hubs: list[Hub], *, year: int, on: datetime.date | None = None
) -> list[HubCapacity]:
    """Several hubs' capacity (the hub dashboard's): three queries for each network."""
    on = on or timezone.localdate()
    by_network: dict[int, list[Hub]] = {}
    for hub in hubs:
        by_network.setdefault(hub.network_id, []).append(hub)
    found = {
        capacity.hub.pk: capacity
        for network_hubs in by_network.values()
        for capacity in _capacities(
            network_hubs, network_hubs[0].network, year=year, on=on, all_hubs=False
        )
    }
    return [found[hub.pk] for hub in hubs]


def national_leadership_capacity(
    network: Network, *, year: int, on: datetime.date | None = None
) -> list[HubCapacity]:
    """Every hub of a network with its capacity per phase (three queries in all: the hubs come
    from the hub directory)."""
    on = on or timezone.localdate()
    hubs = [hub for hub in get_hub_directory().hubs if hub.network_id == network.pk]
    return _capacities(hubs, network, year=year, on=on, all_hubs=True)
