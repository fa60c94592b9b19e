"""The back office coverage page: for national staff only."""

import pytest

from cpdnet.hubs.services import ensure_networks
from cpdnet.schools.models import LocalAuthority
from tests.factories import HubAreaFactory, HubFactory, SchoolFactory, UserFactory

URL = "/backoffice/areas/maths/"
LOGIN = "/sign-in/?next=/backoffice/areas/maths/"


@pytest.fixture
def world(db):
    networks = ensure_networks()
    abacus = HubFactory(network=networks["maths"], name="Abacus NW Maths Hub")
    north = HubFactory(network=networks["maths"], name="North Lancs Maths Hub")
    HubAreaFactory(hub=abacus, local_authority_id="888")
    HubAreaFactory(hub=north, local_authority_id="888", district_id="E07000121")
    HubAreaFactory(hub=north, local_authority_id="383")
    SchoolFactory(name="Unserved Birmingham School", la_code="330", district_code="E08000025")
    SchoolFactory(name="Served Leeds School")
    return networks


@pytest.fixture
def as_user(client):
    def sign_in(**fields):
        if fields:
            client.force_login(UserFactory(**fields))
        return client

    return sign_in


def test_signed_out_visitors_are_sent_to_sign_in(as_user, world):
    response = as_user().get(URL)

    assert response.status_code == 302
    assert response["Location"] == LOGIN


@pytest.mark.parametrize(
    "user",
    [{"is_staff": False}, {"is_staff": False, "is_superuser": False}],
    ids=["signed-in-teacher", "signed-in-non-staff"],
)
def test_people_who_are_not_national_staff_are_refused(as_user, world, user):
    response = as_user(**user).get(URL)

    assert response.status_code == 403


def test_national_staff_see_authorities_and_schools_without_a_hub_and_splits(as_user, world):
    response = as_user(is_staff=True).get(URL)

    assert response.status_code == 200
    text = response.content.decode()
    total = LocalAuthority.objects.count()
    assert f"Authorities with no hub ({total - 2} of {total})" in text
    assert "Authorities split between two or more hubs (1)" in text
    assert "Abacus NW Maths Hub (rest of the authority); North Lancs Maths Hub" in text
    assert "Open state-funded schools with no hub (1)" in text
    assert "Unserved Birmingham School" in text
    assert "Served Leeds School" not in text
    assert 'href="/backoffice/areas/science/"' in text


def test_national_staff_see_each_networks_own_coverage(as_user, world):
    text = as_user(is_staff=True).get("/backoffice/areas/science/").content.decode()

    total = LocalAuthority.objects.count()
    assert f"Authorities with no hub ({total} of {total})" in text
    assert "Open state-funded schools with no hub (2)" in text


def test_an_unknown_network_is_not_found(as_user, world):
    assert as_user(is_staff=True).get("/backoffice/areas/history/").status_code == 404


def test_an_unknown_network_sends_anonymous_people_to_sign_in_rather_than_saying_404(
    as_user, world
):
    response = as_user().get("/backoffice/areas/history/")

    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/")


@pytest.mark.parametrize("authorities", [3, 30])
def test_the_page_takes_the_same_queries_however_many_areas(
    as_user, world, django_assert_max_num_queries, authorities
):
    hub = HubFactory(network=world["maths"])
    for authority in LocalAuthority.objects.exclude(code__in=["383", "888"])[:authorities]:
        HubAreaFactory(hub=hub, local_authority_id=authority.code)
    client = as_user(is_staff=True)
    client.get(URL)

    with django_assert_max_num_queries(9):  # one of them: the roles for the menu
        response = client.get(URL)
    assert response.status_code == 200
