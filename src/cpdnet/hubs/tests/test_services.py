"""Hub change requests from schools, and loading the demo hubs."""

from pathlib import Path

import pytest

from cpdnet.hubs.models import (
    Hub,
    HubArea,
    HubChangeRequestStatus,
    HubSchoolOverride,
    Network,
)
from cpdnet.hubs.selectors import (
    list_authority_coverage,
    resolve_hubs_for_place,
    resolve_hubs_for_schools,
)
from cpdnet.hubs.services import decide_hub_change_request, load_hubs, submit_hub_change_request
from cpdnet.schools.models import LocalAuthority
from tests.factories import HubAreaFactory, HubFactory, UserFactory

from .conftest import BIRMINGHAM, LANCASTER, LEEDS, PRESTON, school_in

DEMO_DATA = Path(__file__).resolve().parents[1] / "demo_data"


def hub_of(school, network):
    return resolve_hubs_for_schools([school])[school.urn].get(network.pk)


@pytest.fixture
def leeds_hubs(maths):
    current = HubFactory(network=maths, name="West Yorkshire Maths Hub")
    HubAreaFactory(hub=current, local_authority_id="383")
    return {"current": current, "asked": HubFactory(network=maths, name="Other Maths Hub")}


def _submit(school, hub, **fields):
    return submit_hub_change_request(
        school=school,
        requested_hub=hub,
        contact_name="Ada Teacher",
        contact_email="ada@school.example.org",
        **fields,
    )


class TestSubmit:
    def test_records_the_hub_that_serves_the_school_now(self, maths, leeds_hubs):
        school = school_in(LEEDS)

        change = _submit(school, leeds_hubs["asked"], contact_role="Head of maths", reason="Near")

        change.refresh_from_db()
        assert change.current_hub == leeds_hubs["current"]
        assert change.requested_hub == leeds_hubs["asked"]
        assert change.network == maths
        assert change.status == HubChangeRequestStatus.PENDING
        assert (change.contact_role, change.reason) == ("Head of maths", "Near")
        assert (change.decided_at, change.decided_by) == (None, None)

    def test_records_the_overriding_hub_as_the_current_one(self, maths, leeds_hubs):
        school = school_in(LEEDS)
        override_hub = HubFactory(network=maths)
        HubSchoolOverride.objects.create(school=school, hub=override_hub)

        change = _submit(school, leeds_hubs["asked"])

        assert change.current_hub == override_hub

    def test_records_no_current_hub_for_a_school_no_hub_serves(self, maths, leeds_hubs):
        change = _submit(school_in(BIRMINGHAM), leeds_hubs["asked"])

        assert change.current_hub is None

    def test_records_the_current_hub_of_the_requested_hubs_network(
        self, maths, science, leeds_hubs
    ):
        # Given a Leeds school served in both networks, asking for another science partnership
        HubAreaFactory(hub=HubFactory(network=science), local_authority_id="383")
        asked = HubFactory(network=science)
        school = school_in(LEEDS)

        change = _submit(school, asked)

        assert change.network == science
        assert change.current_hub.network == science

    def test_does_not_change_the_schools_hub(self, maths, leeds_hubs):
        school = school_in(LEEDS)

        _submit(school, leeds_hubs["asked"])

        assert hub_of(school, maths) == leeds_hubs["current"]


class TestDecide:
    @pytest.fixture
    def pending(self, maths, leeds_hubs):
        school = school_in(LEEDS)
        return _submit(school, leeds_hubs["asked"], reason="We have worked with them for years")

    @pytest.fixture
    def staff(self, db):
        return UserFactory(is_staff=True)

    def test_approving_moves_the_school_to_the_hub_it_asked_for(
        self, maths, leeds_hubs, pending, staff
    ):
        decided = decide_hub_change_request(request=pending, approve=True, by=staff)

        assert hub_of(pending.school, maths) == leeds_hubs["asked"]
        assert decided.status == HubChangeRequestStatus.APPROVED
        assert decided.decided_by == staff
        assert decided.decided_at is not None
        override = HubSchoolOverride.objects.get(school=pending.school)
        assert override.hub == leeds_hubs["asked"]
        assert "We have worked with them for years" in override.reason

    def test_approving_moves_only_that_school(self, maths, leeds_hubs, pending, staff):
        neighbour = school_in(LEEDS)

        decide_hub_change_request(request=pending, approve=True, by=staff)

        assert hub_of(neighbour, maths) == leeds_hubs["current"]
        assert resolve_hubs_for_place(*LEEDS) == {maths.pk: leeds_hubs["current"]}

    def test_declining_leaves_the_school_with_its_hub(self, maths, leeds_hubs, pending, staff):
        decided = decide_hub_change_request(request=pending, approve=False, by=staff)

        assert hub_of(pending.school, maths) == leeds_hubs["current"]
        assert decided.status == HubChangeRequestStatus.DECLINED
        assert decided.decided_by == staff
        assert not HubSchoolOverride.objects.exists()

    def test_approving_replaces_an_earlier_override(self, maths, leeds_hubs, pending, staff):
        HubSchoolOverride.objects.create(school=pending.school, hub=HubFactory(network=maths))

        decide_hub_change_request(request=pending, approve=True, by=staff)

        assert hub_of(pending.school, maths) == leeds_hubs["asked"]
        assert HubSchoolOverride.objects.filter(school=pending.school).count() == 1

    def test_deciding_a_declined_request_again_changes_nothing(
        self, maths, leeds_hubs, pending, staff
    ):
        # Given a declined request
        first = decide_hub_change_request(request=pending, approve=False, by=staff)
        other_staff = UserFactory(is_staff=True)

        # When someone approves it later
        again = decide_hub_change_request(request=pending, approve=True, by=other_staff)

        # Then it stays declined, by the first person, and the school keeps its hub
        assert again.status == HubChangeRequestStatus.DECLINED
        assert (again.decided_by, again.decided_at) == (staff, first.decided_at)
        assert hub_of(pending.school, maths) == leeds_hubs["current"]
        assert not HubSchoolOverride.objects.exists()

    def test_deciding_an_approved_request_again_changes_nothing(
        self, maths, leeds_hubs, pending, staff
    ):
        first = decide_hub_change_request(request=pending, approve=True, by=staff)

        again = decide_hub_change_request(request=pending, approve=False, by=UserFactory())

        assert again.status == HubChangeRequestStatus.APPROVED
        assert (again.decided_by, again.decided_at) == (staff, first.decided_at)
        assert hub_of(pending.school, maths) == leeds_hubs["asked"]


@pytest.fixture
def load_demo_hubs(networks):
    def load():
        return load_hubs(hubs_csv=DEMO_DATA / "hubs.csv", areas_csv=DEMO_DATA / "hub_areas.csv")

    return load


class TestLoadHubs:
    def test_loads_the_42_demo_hubs_in_both_networks(self, load_demo_hubs):
        hubs, areas = load_demo_hubs()

        assert hubs == Hub.objects.count() == 42
        assert areas == HubArea.objects.count() > 0
        assert set(Hub.objects.values_list("network__slug", flat=True)) == {"maths", "science"}

    def test_every_authority_has_a_hub_in_both_networks(self, load_demo_hubs):
        load_demo_hubs()

        for network in Network.objects.all():
            coverage = list_authority_coverage(network)
            assert len(coverage) == LocalAuthority.objects.count() == 153
            assert [row.local_authority.name for row in coverage if row.has_no_hub] == []

    def test_loading_twice_does_not_duplicate(self, load_demo_hubs):
        first = load_demo_hubs()
        hubs, areas = Hub.objects.count(), HubArea.objects.count()

        second = load_demo_hubs()

        assert second == first
        assert (Hub.objects.count(), HubArea.objects.count()) == (hubs, areas)
        assert Network.objects.count() == 2

    def test_loaded_areas_resolve_lancaster_to_the_north_lancashire_hub(
        self, maths, load_demo_hubs
    ):
        load_demo_hubs()
        lancaster, preston = school_in(LANCASTER), school_in(PRESTON)

        resolved = resolve_hubs_for_schools([lancaster, preston])

        assert resolved[lancaster.urn][maths.pk].slug == "north-lancashire-and-cumbria-maths-hub"
        assert resolved[preston.urn][maths.pk].slug == "abacus-nw-maths-hub"

    def test_reloading_replaces_areas_edited_since_and_resolution_follows(
        self, maths, load_demo_hubs
    ):
        # Given the demo loaded, then Lancaster's district row deleted by hand
        load_demo_hubs()
        lancaster = school_in(LANCASTER)
        HubArea.objects.get(network=maths, district_id=LANCASTER[1]).delete()
        assert hub_of(lancaster, maths).slug == "abacus-nw-maths-hub"

        # When the demo is loaded again
        load_demo_hubs()

        # Then the row is back and Lancaster resolves to its district hub at once
        assert hub_of(lancaster, maths).slug == "north-lancashire-and-cumbria-maths-hub"

    def test_every_loaded_area_has_its_hubs_network(self, load_demo_hubs):
        load_demo_hubs()

        mismatched = [
            area
            for area in HubArea.objects.select_related("hub")
            if area.network_id != area.hub.network_id
        ]
        assert mismatched == []
