"""Hub area rules: one hub per place per network, districts inside their authority."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from cpdnet.hubs.models import HubArea, HubSchoolOverride
from tests.factories import HubAreaFactory, HubFactory

from .conftest import LANCASTER, PRESTON, school_in


@pytest.fixture
def two_maths_hubs(maths):
    return HubFactory(network=maths), HubFactory(network=maths)


def test_the_database_refuses_a_second_whole_authority_row_in_a_network(two_maths_hubs):
    first, second = two_maths_hubs
    HubAreaFactory(hub=first, local_authority_id="888")

    with pytest.raises(IntegrityError), transaction.atomic():
        HubArea.objects.create(hub=second, local_authority_id="888")


def test_the_database_refuses_a_second_row_for_a_district_in_a_network(two_maths_hubs):
    first, second = two_maths_hubs
    HubAreaFactory(hub=first, local_authority_id="888", district_id=LANCASTER[1])

    with pytest.raises(IntegrityError), transaction.atomic():
        HubArea.objects.create(hub=second, local_authority_id="888", district_id=LANCASTER[1])


def test_the_same_hub_cannot_name_the_whole_authority_twice(maths):
    hub = HubFactory(network=maths)
    HubAreaFactory(hub=hub, local_authority_id="888")

    with pytest.raises(IntegrityError), transaction.atomic():
        HubArea.objects.create(hub=hub, local_authority_id="888")


def test_the_same_authority_and_district_may_be_served_in_another_network(maths, science):
    # Given Lancashire and Lancaster served in maths
    maths_hub, science_hub = HubFactory(network=maths), HubFactory(network=science)
    HubAreaFactory(hub=maths_hub, local_authority_id="888")
    HubAreaFactory(hub=maths_hub, local_authority_id="888", district_id=LANCASTER[1])

    # When the same rows are added in science
    HubArea.objects.create(hub=science_hub, local_authority_id="888")
    HubArea.objects.create(hub=science_hub, local_authority_id="888", district_id=LANCASTER[1])

    # Then both networks have both rows
    assert HubArea.objects.filter(local_authority_id="888").count() == 4


def test_an_authority_may_have_a_whole_row_and_district_rows_of_other_hubs(two_maths_hubs):
    first, second = two_maths_hubs
    HubAreaFactory(hub=first, local_authority_id="888")

    HubArea.objects.create(hub=second, local_authority_id="888", district_id=LANCASTER[1])
    HubArea.objects.create(hub=second, local_authority_id="888", district_id=PRESTON[1])

    assert HubArea.objects.filter(local_authority_id="888").count() == 3


def test_an_area_takes_its_network_from_its_hub(science):
    hub = HubFactory(network=science)

    area = HubArea.objects.create(hub=hub, local_authority_id="383")

    assert area.network_id == science.pk


def test_an_override_takes_its_network_from_its_hub(science):
    hub = HubFactory(network=science)

    override = HubSchoolOverride.objects.create(school=school_in(PRESTON), hub=hub)

    assert override.network_id == science.pk


def test_the_database_refuses_a_second_override_for_a_school_in_a_network(two_maths_hubs):
    first, second = two_maths_hubs
    school = school_in(PRESTON)
    HubSchoolOverride.objects.create(school=school, hub=first)

    with pytest.raises(IntegrityError), transaction.atomic():
        HubSchoolOverride.objects.create(school=school, hub=second)


class TestClean:
    def test_a_district_outside_the_chosen_authority_is_rejected(self, maths):
        # Given Lancaster district but Leeds as the authority
        area = HubArea(hub=HubFactory(network=maths), local_authority_id="383")
        area.district_id = LANCASTER[1]

        with pytest.raises(ValidationError) as error:
            area.clean()

        assert error.value.message_dict == {
            "district": ["This district is not in the chosen local authority."]
        }

    def test_a_district_inside_the_chosen_authority_is_accepted(self, maths):
        area = HubArea(hub=HubFactory(network=maths), local_authority_id="888")
        area.district_id = LANCASTER[1]

        area.clean()

        assert area.network_id == maths.pk

    def test_a_whole_authority_row_is_accepted(self, maths):
        area = HubArea(hub=HubFactory(network=maths), local_authority_id="888")

        area.clean()

        assert area.network_id == maths.pk

    def test_full_clean_explains_a_second_whole_authority_row(self, two_maths_hubs):
        first, second = two_maths_hubs
        HubAreaFactory(hub=first, local_authority_id="888")
        area = HubArea(hub=second, network_id=second.network_id, local_authority_id="888")

        with pytest.raises(ValidationError) as error:
            area.full_clean()

        assert (
            "Another hub of this network already serves the whole of this authority."
            in error.value.messages
        )
