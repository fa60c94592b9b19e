"""A per-process copy of every hub area and school override, to answer "which hub?" fast.

Areas change a few times a year and every page and API call asks the question, so each
process keeps the whole directory (a few hundred rows, with the districts a postcode is placed
in) in memory. Saving or deleting a hub, an area, an override, a district or a local authority
bumps a version number in Django's cache: with a shared cache (Redis) every
process reloads within HUB_DIRECTORY_CHECK_SECONDS (the process making the change at once);
with the default per-process cache others reload within HUB_DIRECTORY_MAX_AGE seconds. A
process reads the version at most once per HUB_DIRECTORY_CHECK_SECONDS: a round trip to Redis
on every request cost the school API a fifth of its throughput.
"""

import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction

from cpdnet.cache_versions import bump_version, current_version
from cpdnet.schools.models import District

from .models import Hub, HubArea, HubSchoolOverride, Network

VERSION_KEY = "cpdnet:hub-directory-version"


@dataclass
class HubDirectory:
    version: str
    loaded_at: float
    checked_at: float = 0.0  # when the shared version was last read
    # {LA code: [(network id, district code or None, hub)]}
    areas: dict[str, list[tuple[int, str | None, Hub]]] = field(default_factory=dict)
    # {URN: {network id: hub}}
    overrides: dict[int, dict[int, Hub]] = field(default_factory=dict)
    networks: list[Network] = field(default_factory=list)
    hubs: list[Hub] = field(default_factory=list)  # every hub, in network order then by name
    # {district code: district with its local authority}: where a postcode is placed
    districts: dict[str, District] = field(default_factory=dict)

    def hubs_for(self, la_code: str, district_code: str, urn: int | None = None) -> dict[int, Hub]:
        """Per network: an override for the school, else the district's hub, else the LA's."""
        chosen: dict[int, Hub] = {}
        rows = self.areas.get(la_code, ())
        for network_id, district, hub in rows:
            if district is None:
                chosen.setdefault(network_id, hub)
        for network_id, district, hub in rows:
            if district is not None and district == district_code:
                chosen[network_id] = hub
        if urn is not None:
            chosen.update(self.overrides.get(urn, {}))
        return chosen


_local: HubDirectory | None = None
# True between a change made inside a transaction and its commit: a directory loaded then may
# hold rows that a rollback takes away, so it is used once and not kept.
_uncommitted_change = False


def _load(version: str) -> HubDirectory:
    hubs = {hub.pk: hub for hub in Hub.objects.select_related("network", "lead_school")}
    directory = HubDirectory(version=version, loaded_at=time.monotonic())
    areas: dict[str, list] = defaultdict(list)
    for hub_id, network_id, la_code, district in HubArea.objects.values_list(
        "hub_id", "network_id", "local_authority_id", "district_id"
    ):
        areas[la_code].append((network_id, district, hubs[hub_id]))
    directory.areas = dict(areas)
    overrides: dict[int, dict[int, Hub]] = defaultdict(dict)
    for urn, network_id, hub_id in HubSchoolOverride.objects.values_list(
        "school_id", "network_id", "hub_id"
    ):
        overrides[urn][network_id] = hubs[hub_id]
    directory.overrides = dict(overrides)
    directory.networks = list(Network.objects.all())
    directory.districts = {
        district.code: district
        for district in District.objects.select_related("local_authority").order_by()
    }
    directory.hubs = sorted(
        hubs.values(), key=lambda hub: (hub.network.display_order, hub.network.name, hub.name)
    )
    return directory


def get_hub_directory() -> HubDirectory:
    """Return this process's directory, reloading it when it changed or grew old."""
    global _local, _uncommitted_change
    if _uncommitted_change:
        if transaction.get_connection().in_atomic_block:
            return _load(uuid.uuid4().hex)
        _uncommitted_change = False  # the transaction ended without a commit
    now = time.monotonic()
    if _local is not None and now - _local.checked_at < settings.HUB_DIRECTORY_CHECK_SECONDS:
        return _local
    version = current_version(VERSION_KEY)
    max_age = getattr(settings, "HUB_DIRECTORY_MAX_AGE", 60)
    if _local is None or _local.version != version or now - _local.loaded_at > max_age:
        _local = _load(version)
    _local.checked_at = now
    return _local


def _bump_version() -> None:
    global _local, _uncommitted_change
    _local = None
    _uncommitted_change = False
    bump_version(VERSION_KEY)


def invalidate_hub_directory(**kwargs) -> None:
    """Make every process reload the directory (connected to model save and delete signals).

    Bumped now, so this process sees its own change at once, and again on commit, so another
    process that reloaded in between does not keep the data from before the commit.
    """
    global _uncommitted_change
    _bump_version()
    if transaction.get_connection().in_atomic_block:
        _uncommitted_change = True
        transaction.on_commit(_bump_version)
