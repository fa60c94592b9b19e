"""National staff's view of coverage: schools with no hub, authorities with none or several."""

import pytest

from cpdnet.hubs.models import HubSchoolOverride
from cpdnet.hubs.selectors import list_authority_coverage, list_schools_without_hub
from cpdnet.schools.models import LocalAuthority, SchoolStatus
from tests.factories import HubAreaFactory, HubFactory

from .conftest import ASHFIELD, BASSETLAW, BIRMINGHAM, LANCASTER, LEEDS, PRESTON, school_in


@pytest.fixture
def world(maths, science):
    """A small hand-built world.

    Maths: Leeds whole (West Yorkshire); Lancashire whole (Abacus) with Lancaster district split
    off (North Lancs); Nottinghamshire only its Ashfield district (East Midlands); Birmingham none.
    Science: Leeds by its single district row only.
    """
    west_yorkshire = HubFactory(network=maths, name="West Yorkshire Maths Hub")
    abacus = HubFactory(network=maths, name="Abacus NW Maths Hub")
    north_lancs = HubFactory(network=maths, name="North Lancashire Maths Hub")
    east_midlands = HubFactory(network=maths, name="East Midlands Maths Hub")
    yorkshire_science = HubFactory(network=science, name="Yorkshire Science")
    HubAreaFactory(hub=west_yorkshire, local_authority_id="383")
    HubAreaFactory(hub=abacus, local_authority_id="888")
    HubAreaFactory(hub=north_lancs, local_authority_id="888", district_id=LANCASTER[1])
    HubAreaFactory(hub=east_midlands, local_authority_id="891", district_id=ASHFIELD[1])
    HubAreaFactory(hub=yorkshire_science, local_authority_id="383", district_id=LEEDS[1])
    return {
        "west_yorkshire": west_yorkshire,
        "abacus": abacus,
        "north_lancs": north_lancs,
        "east_midlands": east_midlands,
        "yorkshire_science": yorkshire_science,
    }


def _urns(schools) -> set[int]:
    return {school.urn for school in schools}


class TestSchoolsWithoutHub:
    def test_lists_open_state_funded_schools_in_places_no_hub_serves(self, maths, world):
        # Given schools in served and unserved places
        served = [school_in(place) for place in (LEEDS, LANCASTER, PRESTON, ASHFIELD)]
        in_bassetlaw = school_in(BASSETLAW)
        in_birmingham = school_in(BIRMINGHAM, status=SchoolStatus.OPEN_PROPOSED_TO_CLOSE)

        # When the maths schools without a hub are listed
        without = _urns(list_schools_without_hub(maths))

        # Then only the unserved schools are listed
        assert without == {in_bassetlaw.urn, in_birmingham.urn}
        assert not without & _urns(served)

    def test_leaves_out_closed_and_independent_schools(self, maths, world):
        school_in(BIRMINGHAM, status=SchoolStatus.CLOSED)
        school_in(BIRMINGHAM, is_state_funded=False)
        school_in(BIRMINGHAM, status=SchoolStatus.PROPOSED_TO_OPEN)

        assert _urns(list_schools_without_hub(maths)) == set()

    def test_leaves_out_a_school_with_an_override(self, maths, world):
        moved, unserved = school_in(BIRMINGHAM), school_in(BIRMINGHAM)
        HubSchoolOverride.objects.create(school=moved, hub=world["west_yorkshire"])

        assert _urns(list_schools_without_hub(maths)) == {unserved.urn}

    def test_an_override_in_another_network_does_not_count(self, maths, science, world):
        school = school_in(BIRMINGHAM)
        HubSchoolOverride.objects.create(school=school, hub=world["yorkshire_science"])

        assert _urns(list_schools_without_hub(maths)) == {school.urn}
        assert _urns(list_schools_without_hub(science)) == set()

    def test_is_worked_out_per_network(self, science, world):
        # Given science serves Leeds only
        in_leeds, in_preston = school_in(LEEDS), school_in(PRESTON)

        assert _urns(list_schools_without_hub(science)) == {in_preston.urn}
        assert in_leeds.urn not in _urns(list_schools_without_hub(science))

    def test_agrees_with_resolution(self, maths, world):
        from cpdnet.hubs.selectors import resolve_hubs_for_schools

        schools = [
            school_in(place) for place in (LEEDS, LANCASTER, PRESTON, ASHFIELD, BASSETLAW)
        ] + [school_in(BIRMINGHAM)]

        resolved = resolve_hubs_for_schools(schools)

        assert _urns(list_schools_without_hub(maths)) == {
            school.urn for school in schools if maths.pk not in resolved[school.urn]
        }


class TestAuthorityCoverage:
    @pytest.fixture
    def maths_rows(self, maths, world):
        return {row.local_authority.code: row for row in list_authority_coverage(maths)}

    def test_lists_every_authority_once_in_name_order(self, maths, world):
        rows = list_authority_coverage(maths)

        names = [row.local_authority.name for row in rows]
        assert (
            len(rows)
            == LocalAuthority.objects.count()
            == len({row.local_authority.code for row in rows})
        )
        assert names == sorted(names)

    def test_a_whole_authority_is_served_and_not_split(self, maths_rows, world):
        leeds = maths_rows["383"]

        assert (leeds.has_no_hub, leeds.is_split) == (False, False)
        assert leeds.whole_authority_hub == world["west_yorkshire"]
        assert leeds.hubs == [world["west_yorkshire"]]

    def test_an_authority_with_a_district_split_off_is_split_but_served(self, maths_rows, world):
        lancashire = maths_rows["888"]

        assert (lancashire.has_no_hub, lancashire.is_split) == (False, True)
        assert lancashire.whole_authority_hub == world["abacus"]
        assert lancashire.hubs == [world["abacus"], world["north_lancs"]]
        assert (lancashire.districts_named, lancashire.districts_total) == (1, 12)

    def test_an_authority_with_only_some_districts_named_has_no_hub(self, maths_rows, world):
        nottinghamshire = maths_rows["891"]

        assert (nottinghamshire.has_no_hub, nottinghamshire.is_split) == (True, False)
        assert nottinghamshire.whole_authority_hub is None
        assert (nottinghamshire.districts_named, nottinghamshire.districts_total) == (1, 7)

    def test_an_authority_without_rows_has_no_hub(self, maths_rows):
        birmingham = maths_rows["330"]

        assert (birmingham.has_no_hub, birmingham.is_split) == (True, False)
        assert birmingham.hubs == []

    def test_an_authority_with_every_district_named_is_served(self, science, world):
        rows = {row.local_authority.code: row for row in list_authority_coverage(science)}

        assert rows["383"].has_no_hub is False
        assert rows["383"].whole_authority_hub is None
        assert rows["383"].hubs == [world["yorkshire_science"]]

    def test_a_hub_with_a_whole_row_and_a_district_row_is_not_a_split(self, maths, world):
        HubAreaFactory(hub=world["abacus"], local_authority_id="888", district_id=PRESTON[1])

        lancashire = next(
            row for row in list_authority_coverage(maths) if row.local_authority.code == "888"
        )

        assert lancashire.hubs == [world["abacus"], world["north_lancs"]]
        assert lancashire.districts_named == 2

    def test_is_worked_out_per_network(self, science, world):
        rows = {row.local_authority.code: row for row in list_authority_coverage(science)}

        assert rows["888"].has_no_hub is True
        assert rows["888"].hubs == []

    def test_takes_the_same_queries_however_many_areas(
        self, maths, world, django_assert_max_num_queries
    ):
        # Given a hub covering 30 more authorities
        big = HubFactory(network=maths)
        for authority in LocalAuthority.objects.exclude(code__in=["383", "888", "891"])[:30]:
            HubAreaFactory(hub=big, local_authority_id=authority.code)

        # Then coverage is still two queries
        with django_assert_max_num_queries(2):
            rows = list_authority_coverage(maths)

        assert sum(1 for row in rows if row.whole_authority_hub == big) == 30
