"""Which hub serves a school or a place: whole authorities, districts and per-school overrides.

Behaviour is checked through the public selectors only, so that it holds however resolution is
implemented (straight queries or a per-process cache of the hub directory).
"""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from cpdnet.accounts.models import User
from cpdnet.hubs.models import HubArea, HubSchoolOverride
from cpdnet.hubs.selectors import hub_expression, resolve_hubs_for_place, resolve_hubs_for_schools
from cpdnet.schools.models import School
from tests.factories import HubAreaFactory, HubFactory, UserFactory

from .conftest import BIRMINGHAM, LANCASTER, LEEDS, PRESTON, WYRE, school_in


def hub_of(school, network):
    return resolve_hubs_for_schools([school])[school.urn].get(network.pk)


@pytest.fixture
def lancashire(maths):
    """Lancashire served as a whole by one maths hub, with Lancaster district split off."""
    rest = HubFactory(network=maths, name="Abacus NW Maths Hub")
    north = HubFactory(network=maths, name="North Lancashire Maths Hub")
    HubAreaFactory(hub=rest, local_authority_id="888")
    HubAreaFactory(hub=north, local_authority_id="888", district_id=LANCASTER[1])
    return {"rest": rest, "north": north}


def test_a_whole_authority_area_serves_every_school_in_the_authority(maths):
    # Given a maths hub serving the whole of Leeds
    hub = HubFactory(network=maths)
    HubAreaFactory(hub=hub, local_authority_id="383")
    schools = [school_in(LEEDS) for _ in range(3)]

    # When the hubs of the schools are resolved
    resolved = resolve_hubs_for_schools(schools)

    # Then every Leeds school has that hub
    assert resolved == {school.urn: {maths.pk: hub} for school in schools}


def test_a_district_row_overrides_another_hubs_whole_authority_row_in_that_district(
    maths, lancashire
):
    lancaster_school = school_in(LANCASTER)

    assert hub_of(lancaster_school, maths) == lancashire["north"]


def test_a_district_row_leaves_the_rest_of_the_authority_with_the_whole_authority_hub(
    maths, lancashire
):
    preston_school = school_in(PRESTON)

    assert hub_of(preston_school, maths) == lancashire["rest"]


@pytest.mark.parametrize("district_row_first", [True, False])
def test_a_district_row_wins_whichever_row_was_created_first(maths, district_row_first):
    # Given the two rows for Lancashire created in either order
    rest = HubFactory(network=maths)
    north = HubFactory(network=maths)
    rows = [
        {"hub": north, "local_authority_id": "888", "district_id": LANCASTER[1]},
        {"hub": rest, "local_authority_id": "888"},
    ]
    for row in rows if district_row_first else reversed(rows):
        HubAreaFactory(**row)

    # When Lancaster and Preston schools are resolved
    lancaster_school, preston_school = school_in(LANCASTER), school_in(PRESTON)
    resolved = resolve_hubs_for_schools([lancaster_school, preston_school])

    # Then the district row wins in its district only
    assert resolved[lancaster_school.urn] == {maths.pk: north}
    assert resolved[preston_school.urn] == {maths.pk: rest}


def test_a_school_override_beats_both_the_district_and_the_whole_authority_rows(maths, lancashire):
    # Given a Lancaster school told to work with a third hub, and its neighbour
    chosen = HubFactory(network=maths, name="Chosen Maths Hub")
    moved, neighbour = school_in(LANCASTER), school_in(LANCASTER)
    HubSchoolOverride.objects.create(school=moved, hub=chosen)

    # When both are resolved
    resolved = resolve_hubs_for_schools([moved, neighbour])

    # Then only the overridden school has the chosen hub
    assert resolved[moved.urn] == {maths.pk: chosen}
    assert resolved[neighbour.urn] == {maths.pk: lancashire["north"]}


def test_a_school_override_beats_the_whole_authority_row(maths, lancashire):
    chosen = HubFactory(network=maths)
    school = school_in(PRESTON)
    HubSchoolOverride.objects.create(school=school, hub=chosen)

    assert hub_of(school, maths) == chosen


def test_a_school_override_in_one_network_leaves_the_other_network_alone(maths, science):
    # Given Leeds served in both networks, and a Leeds school moved to another maths hub
    maths_hub, science_hub = HubFactory(network=maths), HubFactory(network=science)
    HubAreaFactory(hub=maths_hub, local_authority_id="383")
    HubAreaFactory(hub=science_hub, local_authority_id="383")
    other_maths_hub = HubFactory(network=maths)
    school = school_in(LEEDS)
    HubSchoolOverride.objects.create(school=school, hub=other_maths_hub)

    # When it is resolved
    resolved = resolve_hubs_for_schools([school])[school.urn]

    # Then the override changes maths only
    assert resolved == {maths.pk: other_maths_hub, science.pk: science_hub}


def test_a_school_has_at_most_one_hub_per_network(maths, science, lancashire):
    # Given Lancashire served by two maths hubs (split) and one science partnership
    science_hub = HubFactory(network=science)
    HubAreaFactory(hub=science_hub, local_authority_id="888")
    schools = [school_in(LANCASTER), school_in(PRESTON), school_in(WYRE)]

    # When they are resolved
    resolved = resolve_hubs_for_schools(schools)

    # Then each school has one hub in each network, and that hub is of that network
    for school in schools:
        assert set(resolved[school.urn]) == {maths.pk, science.pk}
        for network_id, hub in resolved[school.urn].items():
            assert hub.network_id == network_id


def test_a_school_in_an_authority_without_an_area_has_no_hub(maths, lancashire):
    # Given hubs in Lancashire and Leeds only
    HubAreaFactory(hub=HubFactory(network=maths), local_authority_id="383")
    school = school_in(BIRMINGHAM)

    assert resolve_hubs_for_schools([school]) == {school.urn: {}}


def test_a_school_in_an_unnamed_district_of_an_authority_without_a_whole_row_has_no_hub(maths):
    # Given only Lancaster district of Lancashire has a hub
    HubAreaFactory(
        hub=HubFactory(network=maths), local_authority_id="888", district_id=LANCASTER[1]
    )
    school = school_in(PRESTON)

    assert resolve_hubs_for_schools([school]) == {school.urn: {}}


def test_the_sql_hub_expression_agrees_with_resolution(maths, science, lancashire):
    # Given overrides, a split authority, a whole one, another network and a school no hub serves
    chosen = HubFactory(network=maths)
    overridden = school_in(PRESTON)
    HubSchoolOverride.objects.create(school=overridden, hub=chosen)
    HubAreaFactory(hub=HubFactory(network=science), local_authority_id="330")
    schools = [overridden, school_in(LANCASTER), school_in(WYRE), school_in(BIRMINGHAM)]

    # When each school's maths hub is worked out in SQL
    in_sql = dict(
        School.objects.filter(pk__in=[s.pk for s in schools])
        .annotate(hub_id=hub_expression(maths))
        .values_list("pk", "hub_id")
    )

    # Then it is the hub resolution gives, and none where no maths hub serves
    resolved = resolve_hubs_for_schools(schools)
    assert in_sql == {
        school.pk: getattr(resolved[school.urn].get(maths.pk), "pk", None) for school in schools
    }
    assert in_sql[overridden.pk] == chosen.pk
    assert in_sql[schools[1].pk] == lancashire["north"].pk
    assert in_sql[schools[3].pk] is None


def test_the_hub_expression_follows_a_path_to_the_school(maths, lancashire):
    # Given a person at a Lancaster school
    person = UserFactory(school=school_in(LANCASTER))

    # When their school's hub is worked out from the person
    hub_id = (
        User.objects.filter(pk=person.pk)
        .annotate(hub_id=hub_expression(maths, "school__"))
        .values_list("hub_id", flat=True)
        .get()
    )

    assert hub_id == lancashire["north"].pk


def test_resolving_no_schools_gives_nothing(maths, lancashire):
    assert resolve_hubs_for_schools([]) == {}


def test_the_resolved_hub_carries_its_network_for_display(maths):
    hub = HubFactory(network=maths)
    HubAreaFactory(hub=hub, local_authority_id="383")
    school = school_in(LEEDS)

    resolved_hub = hub_of(school, maths)

    assert resolved_hub.network.slug == "maths"
    assert resolved_hub.slug == hub.slug


def test_resolving_many_schools_takes_as_many_queries_as_resolving_a_few(maths, lancashire):
    # Given 30 schools across Lancashire, each with an override elsewhere every third school
    chosen = HubFactory(network=maths)
    schools = [school_in([LANCASTER, PRESTON, WYRE][n % 3]) for n in range(30)]
    for school in schools[::3]:
        HubSchoolOverride.objects.create(school=school, hub=chosen)
    resolve_hubs_for_schools(schools)  # warm any per-process cache

    # When 3 schools, then 30 schools are resolved
    with CaptureQueriesContext(connection) as few:
        resolve_hubs_for_schools(schools[:3])
    with CaptureQueriesContext(connection) as many:
        resolved = resolve_hubs_for_schools(schools)

    # Then the number of queries does not grow with the schools (at most the directory's five
    # reads, made again here because the test's transaction holds uncommitted changes)
    assert len(many.captured_queries) == len(few.captured_queries) <= 5
    assert resolved[schools[0].urn] == {maths.pk: chosen}
    # ...and reading the hubs' networks costs nothing more
    with CaptureQueriesContext(connection) as reading:
        names = {hub.network.name for hubs in resolved.values() for hub in hubs.values()}
    assert names == {"Maths Hubs"}
    assert reading.captured_queries == []


class TestResolvePlace:
    def test_a_district_with_its_own_row_gets_that_hub(self, maths, lancashire):
        assert resolve_hubs_for_place(*LANCASTER) == {maths.pk: lancashire["north"]}

    def test_another_district_of_the_authority_gets_the_whole_authority_hub(
        self, maths, lancashire
    ):
        assert resolve_hubs_for_place(*PRESTON) == {maths.pk: lancashire["rest"]}

    def test_a_place_in_both_networks_gets_one_hub_in_each(self, maths, science):
        maths_hub, science_hub = HubFactory(network=maths), HubFactory(network=science)
        HubAreaFactory(hub=maths_hub, local_authority_id="383")
        HubAreaFactory(hub=science_hub, local_authority_id="383")

        assert resolve_hubs_for_place(*LEEDS) == {maths.pk: maths_hub, science.pk: science_hub}

    def test_a_place_in_an_authority_without_an_area_has_no_hub(self, maths, lancashire):
        assert resolve_hubs_for_place(*BIRMINGHAM) == {}

    def test_a_place_ignores_school_overrides(self, maths, lancashire):
        # Given a Preston school moved to another hub
        HubSchoolOverride.objects.create(school=school_in(PRESTON), hub=HubFactory(network=maths))

        # Then Preston as a place keeps the whole-authority hub
        assert resolve_hubs_for_place(*PRESTON) == {maths.pk: lancashire["rest"]}


class TestChangesShowAtOnce:
    """Edits through the ORM are seen by the next resolution in the same process."""

    def test_a_new_whole_authority_area(self, maths):
        school = school_in(LEEDS)
        assert hub_of(school, maths) is None
        hub = HubFactory(network=maths)

        HubArea.objects.create(hub=hub, local_authority_id="383")

        assert hub_of(school, maths) == hub
        assert resolve_hubs_for_place(*LEEDS) == {maths.pk: hub}

    def test_a_new_district_area(self, maths, lancashire):
        school = school_in(PRESTON)
        assert hub_of(school, maths) == lancashire["rest"]
        central = HubFactory(network=maths)

        HubArea.objects.create(hub=central, local_authority_id="888", district_id=PRESTON[1])

        assert hub_of(school, maths) == central
        assert resolve_hubs_for_place(*PRESTON) == {maths.pk: central}

    def test_an_area_moved_to_another_hub(self, maths, lancashire):
        school = school_in(LANCASTER)
        assert hub_of(school, maths) == lancashire["north"]
        area = HubArea.objects.get(district_id=LANCASTER[1])

        area.hub = lancashire["rest"]
        area.save()

        assert hub_of(school, maths) == lancashire["rest"]
        assert resolve_hubs_for_place(*LANCASTER) == {maths.pk: lancashire["rest"]}

    def test_a_deleted_district_area(self, maths, lancashire):
        school = school_in(LANCASTER)
        assert hub_of(school, maths) == lancashire["north"]

        HubArea.objects.get(district_id=LANCASTER[1]).delete()

        assert hub_of(school, maths) == lancashire["rest"]
        assert resolve_hubs_for_place(*LANCASTER) == {maths.pk: lancashire["rest"]}

    def test_a_deleted_whole_authority_area(self, maths, lancashire):
        school = school_in(PRESTON)
        assert hub_of(school, maths) == lancashire["rest"]

        HubArea.objects.get(local_authority_id="888", district__isnull=True).delete()

        assert hub_of(school, maths) is None
        assert resolve_hubs_for_place(*PRESTON) == {}

    def test_a_deleted_hub_takes_its_areas_with_it(self, maths, lancashire):
        school = school_in(LANCASTER)
        assert hub_of(school, maths) == lancashire["north"]

        lancashire["north"].delete()

        assert hub_of(school, maths) == lancashire["rest"]

    def test_a_renamed_hub(self, maths, lancashire):
        school = school_in(PRESTON)
        assert hub_of(school, maths).name == "Abacus NW Maths Hub"
        hub = lancashire["rest"]

        hub.name = "Abacus North West Maths Hub"
        hub.save()

        assert hub_of(school, maths).name == "Abacus North West Maths Hub"
        assert resolve_hubs_for_place(*PRESTON)[maths.pk].name == "Abacus North West Maths Hub"

    def test_a_new_override(self, maths, lancashire):
        school = school_in(PRESTON)
        assert hub_of(school, maths) == lancashire["rest"]

        HubSchoolOverride.objects.create(school=school, hub=lancashire["north"])

        assert hub_of(school, maths) == lancashire["north"]

    def test_an_override_moved_to_another_hub(self, maths, lancashire):
        school = school_in(PRESTON)
        override = HubSchoolOverride.objects.create(school=school, hub=lancashire["north"])
        assert hub_of(school, maths) == lancashire["north"]
        chosen = HubFactory(network=maths)

        override.hub = chosen
        override.save()

        assert hub_of(school, maths) == chosen

    def test_a_deleted_override(self, maths, lancashire):
        school = school_in(PRESTON)
        override = HubSchoolOverride.objects.create(school=school, hub=lancashire["north"])
        assert hub_of(school, maths) == lancashire["north"]

        override.delete()

        assert hub_of(school, maths) == lancashire["rest"]

    def test_an_area_added_in_a_transaction_that_rolls_back_is_forgotten(self, maths):
        # Given an area added, seen, then rolled back (say a later save in the form failed)
        school = school_in(LEEDS)
        hub = HubFactory(network=maths)
        with pytest.raises(RuntimeError), transaction.atomic():
            HubArea.objects.create(hub=hub, local_authority_id="383")
            assert hub_of(school, maths) == hub
            raise RuntimeError("a later step failed")

        # Then resolution reads what the database holds
        assert not HubArea.objects.exists()
        assert hub_of(school, maths) is None
        assert resolve_hubs_for_place(*LEEDS) == {}

    def test_an_override_deleted_in_a_transaction_that_rolls_back_still_applies(
        self, maths, lancashire
    ):
        school = school_in(PRESTON)
        override = HubSchoolOverride.objects.create(school=school, hub=lancashire["north"])
        with pytest.raises(RuntimeError), transaction.atomic():
            override.delete()
            assert hub_of(school, maths) == lancashire["rest"]
            raise RuntimeError("a later step failed")

        assert hub_of(school, maths) == lancashire["north"]
