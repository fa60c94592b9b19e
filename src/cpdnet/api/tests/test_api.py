"""API v1: school search, a school with its hubs, hubs with their areas, and the schema."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cpdnet.api.schemas import SchoolDetailOut
from cpdnet.hubs.models import HubSchoolOverride
from cpdnet.hubs.services import ensure_networks
from cpdnet.schools.models import SchoolStatus
from tests.factories import HubAreaFactory, HubFactory, SchoolFactory

API = "/api/v1"


@pytest.fixture
def networks(db):
    return ensure_networks()


@pytest.fixture
def leeds_hubs(networks):
    """Leeds served in both networks; Lancaster district of Lancashire by a third hub."""
    maths = HubFactory(
        network=networks["maths"], slug="west-yorkshire-maths-hub", name="West Yorkshire Maths Hub"
    )
    science = HubFactory(
        network=networks["science"], slug="science-yorkshire", name="Science Yorkshire"
    )
    north = HubFactory(network=networks["maths"], slug="north-lancs", name="North Lancs Hub")
    HubAreaFactory(hub=maths, local_authority_id="383")
    HubAreaFactory(hub=science, local_authority_id="383")
    HubAreaFactory(hub=north, local_authority_id="888", district_id="E07000121")
    return {"maths": maths, "science": science, "north": north}


def _schools(count: int, name: str = "Oakfield"):
    return [SchoolFactory(name=f"{name} School {n:02d}") for n in range(count)]


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


class TestSchoolSearch:
    def test_returns_a_page_of_matching_schools_with_the_total(self, client, db):
        _schools(25)
        SchoolFactory(name="Elmwood School")

        response = client.get(f"{API}/schools", {"q": "oakf", "page": 2, "page_size": 10})

        assert response.status_code == 200
        body = response.json()
        assert (body["count"], body["page"], body["page_size"]) == (25, 2, 10)
        assert [item["name"] for item in body["items"]] == [
            f"Oakfield School {n:02d}" for n in range(10, 20)
        ]

    def test_a_page_past_the_end_is_empty_but_keeps_the_total(self, client, db):
        _schools(3)

        body = client.get(f"{API}/schools", {"q": "oakfield", "page": 5}).json()

        assert (body["count"], body["items"]) == (3, [])

    def test_describes_each_school_with_a_link_to_its_page(self, client, db):
        SchoolFactory(urn=107999, name="St Mary's Catholic Primary School", postcode="LS6 2AA")

        body = client.get(f"{API}/schools", {"q": "mary cath"}).json()

        assert body["items"] == [
            {
                "urn": 107999,
                "name": "St Mary's Catholic Primary School",
                "status": "open",
                "town": "Leeds",
                "postcode": "LS6 2AA",
                "la_code": "383",
                "la_name": "Leeds",
                "phase": "Primary",
                "is_state_funded": True,
                "url": "/find-your-hub/schools/107999/",
            }
        ]

    def test_lists_open_schools_before_closed_ones(self, client, db):
        SchoolFactory(name="Aardvark Oak School", status=SchoolStatus.CLOSED)
        SchoolFactory(name="Zebra Oak School")

        body = client.get(f"{API}/schools", {"q": "oak"}).json()

        assert [item["name"] for item in body["items"]] == [
            "Zebra Oak School",
            "Aardvark Oak School",
        ]

    def test_finds_a_school_by_urn(self, client, db):
        SchoolFactory(urn=123456, name="Numbered School")

        body = client.get(f"{API}/schools", {"q": "123456"}).json()

        assert [item["urn"] for item in body["items"]] == [123456]

    def test_defaults_to_the_first_page_of_twenty(self, client, db):
        _schools(25)

        body = client.get(f"{API}/schools", {"q": "oakfield"}).json()

        assert (body["page"], body["page_size"], len(body["items"])) == (1, 20, 20)

    def test_a_page_of_a_hundred_is_allowed(self, client, db):
        response = client.get(f"{API}/schools", {"q": "oakfield", "page_size": 100})

        assert response.status_code == 200

    @pytest.mark.parametrize(
        ("params", "field"),
        [
            ({"q": "oakfield", "page_size": 101}, "page_size"),
            ({"q": "oakfield", "page_size": 0}, "page_size"),
            ({"q": "oakfield", "page": 0}, "page"),
            ({"q": "oakfield", "page": "two"}, "page"),
            ({}, "q"),
            ({"q": "o"}, "q"),
            ({"q": ""}, "q"),
            ({"q": "o" * 101}, "q"),
        ],
        ids=[
            "page-size-over-100",
            "page-size-0",
            "page-0",
            "page-not-a-number",
            "q-missing",
            "q-one-character",
            "q-empty",
            "q-too-long",
        ],
    )
    def test_rejects_invalid_parameters_with_a_reason(self, client, db, params, field):
        response = client.get(f"{API}/schools", params)

        assert response.status_code == 422
        body = response.json()
        assert body["detail"]
        assert [error["loc"][-1] for error in body["errors"]] == [field]

    def test_takes_the_same_queries_for_3_or_30_results(
        self, client, db, django_assert_max_num_queries
    ):
        # Given 3 schools found
        schools = _schools(3)
        url = f"{API}/schools?q=oakfield&page_size=100"
        few = _queries(client, url)

        # When 27 more are found
        schools += _schools(27)

        # Then the search takes no more queries
        with django_assert_max_num_queries(few):
            body = client.get(url).json()
        assert len(body["items"]) == 30
        assert few <= 2


class TestSchoolDetail:
    def test_gives_the_school_with_its_hub_in_each_network(self, client, leeds_hubs):
        SchoolFactory(urn=107999, name="St Mary's", percentage_fsm="12.5", pupils=300)

        response = client.get(f"{API}/schools/107999")

        assert response.status_code == 200
        body = response.json()
        assert (body["urn"], body["name"], body["pupils"], body["percentage_fsm"]) == (
            107999,
            "St Mary's",
            300,
            12.5,
        )
        assert body["hubs"] == [
            {
                "network": "maths",
                "name": "West Yorkshire Maths Hub",
                "slug": "west-yorkshire-maths-hub",
            },
            {"network": "science", "name": "Science Yorkshire", "slug": "science-yorkshire"},
        ]

    def test_gives_the_district_hub_and_an_override_over_the_area_hub(self, client, leeds_hubs):
        SchoolFactory(urn=200001, la_code="888", district_code="E07000121")
        moved = SchoolFactory(urn=200002)
        HubSchoolOverride.objects.create(school=moved, hub=leeds_hubs["north"])

        lancaster = client.get(f"{API}/schools/200001").json()
        leeds = client.get(f"{API}/schools/200002").json()

        assert [hub["slug"] for hub in lancaster["hubs"]] == ["north-lancs"]
        assert [hub["slug"] for hub in leeds["hubs"]] == ["north-lancs", "science-yorkshire"]

    def test_a_school_no_hub_serves_has_an_empty_hub_list(self, client, leeds_hubs):
        SchoolFactory(urn=200003, la_code="330", district_code="E08000025")

        assert client.get(f"{API}/schools/200003").json()["hubs"] == []

    def test_a_closed_school_names_its_successor(self, client, leeds_hubs):
        successor = SchoolFactory(urn=200005)
        SchoolFactory(urn=200004, status=SchoolStatus.CLOSED, successor=successor)

        body = client.get(f"{API}/schools/200004").json()

        assert (body["status"], body["successor_urn"]) == ("closed", 200005)

    def test_the_answer_has_exactly_the_documented_fields_and_types(self, client, leeds_hubs):
        # The endpoint builds its JSON by hand, so check it against its declared schema
        successor = SchoolFactory(urn=200007)
        SchoolFactory(
            urn=200006,
            status=SchoolStatus.CLOSED,
            successor=successor,
            open_date=date(1990, 9, 1),
            close_date=date(2020, 8, 31),
            is_state_funded=None,
            percentage_fsm=None,
        )

        body = client.get(f"{API}/schools/200006").json()

        assert set(body) == set(SchoolDetailOut.model_fields)
        parsed = SchoolDetailOut.model_validate(body)
        assert (parsed.open_date, parsed.close_date) == (date(1990, 9, 1), date(2020, 8, 31))
        assert (body["open_date"], body["close_date"]) == ("1990-09-01", "2020-08-31")
        assert (body["is_state_funded"], body["percentage_fsm"]) == (None, None)
        assert body["url"] == "/find-your-hub/schools/200006/"

    def test_an_unknown_urn_is_a_json_404_with_a_reason(self, client, db):
        response = client.get(f"{API}/schools/999998")

        assert response.status_code == 404
        assert response["Content-Type"].startswith("application/json")
        assert response.json() == {"detail": "No school has URN 999998."}

    @pytest.mark.parametrize("urn", ["abc", "0", "-5", "1.5"])
    def test_a_urn_that_is_not_a_positive_number_is_a_422(self, client, db, urn):
        response = client.get(f"{API}/schools/{urn}")

        assert response.status_code == 422
        assert response.json()["detail"]

    @pytest.mark.parametrize("urn", ["99999999999999", "2147483648", "9" * 40])
    def test_a_huge_urn_is_refused_cleanly(self, client, db, urn):
        response = client.get(f"{API}/schools/{urn}")

        assert response.status_code in {404, 422}
        assert response.json()["detail"]


class TestHubs:
    def test_lists_every_hub(self, client, leeds_hubs):
        body = client.get(f"{API}/hubs").json()

        assert {hub["slug"] for hub in body} == {
            "west-yorkshire-maths-hub",
            "science-yorkshire",
            "north-lancs",
        }
        first = next(hub for hub in body if hub["slug"] == "west-yorkshire-maths-hub")
        assert (first["network"], first["url"]) == ("maths", "/hubs/west-yorkshire-maths-hub/")

    def test_filters_by_network(self, client, leeds_hubs):
        maths = client.get(f"{API}/hubs", {"network": "maths"}).json()
        science = client.get(f"{API}/hubs", {"network": "science"}).json()

        assert {hub["slug"] for hub in maths} == {"west-yorkshire-maths-hub", "north-lancs"}
        assert [hub["slug"] for hub in science] == ["science-yorkshire"]

    def test_an_unknown_network_lists_no_hubs(self, client, leeds_hubs):
        response = client.get(f"{API}/hubs", {"network": "history"})

        assert (response.status_code, response.json()) == (200, [])

    def test_takes_the_same_queries_for_3_or_30_hubs(
        self, client, networks, django_assert_max_num_queries
    ):
        for _ in range(3):
            HubFactory(network=networks["maths"], lead_school=SchoolFactory())
        few = _queries(client, f"{API}/hubs")

        for _ in range(27):
            HubFactory(network=networks["science"], lead_school=SchoolFactory())

        with django_assert_max_num_queries(few):
            body = client.get(f"{API}/hubs").json()
        assert len(body) == 30
        assert all(hub["lead_school_urn"] for hub in body)

    def test_a_hub_lists_its_areas(self, client, leeds_hubs):
        HubAreaFactory(hub=leeds_hubs["north"], local_authority_id="888", district_id="E07000128")

        response = client.get(f"{API}/hubs/north-lancs")

        assert response.status_code == 200
        body = response.json()
        assert body["name"] == "North Lancs Hub"
        assert sorted(body["areas"], key=lambda area: area["district_code"]) == [
            {
                "la_code": "888",
                "la_name": "Lancashire",
                "district_code": "E07000121",
                "district_name": "Lancaster",
                "basis": "national",
            },
            {
                "la_code": "888",
                "la_name": "Lancashire",
                "district_code": "E07000128",
                "district_name": "Wyre",
                "basis": "national",
            },
        ]

    def test_a_whole_authority_area_has_no_district(self, client, leeds_hubs):
        body = client.get(f"{API}/hubs/west-yorkshire-maths-hub").json()

        assert body["areas"] == [
            {
                "la_code": "383",
                "la_name": "Leeds",
                "district_code": None,
                "district_name": None,
                "basis": "national",
            }
        ]

    def test_a_hub_takes_the_same_queries_for_3_or_30_areas(
        self, client, networks, django_assert_max_num_queries
    ):
        from cpdnet.schools.models import District

        hub = HubFactory(network=networks["maths"], slug="big-hub")
        districts = list(District.objects.order_by("code")[:30])
        for district in districts[:3]:
            HubAreaFactory(
                hub=hub, local_authority_id=district.local_authority_id, district=district
            )
        few = _queries(client, f"{API}/hubs/big-hub")

        for district in districts[3:]:
            HubAreaFactory(
                hub=hub, local_authority_id=district.local_authority_id, district=district
            )

        with django_assert_max_num_queries(few):
            body = client.get(f"{API}/hubs/big-hub").json()
        assert len(body["areas"]) == 30

    def test_a_slug_longer_than_80_characters_is_a_422(self, client, db):
        response = client.get(f"{API}/hubs/{'a' * 81}")

        assert response.status_code == 422
        assert response.json()["detail"]

    def test_an_unknown_hub_is_a_json_404_with_a_reason(self, client, db):
        response = client.get(f"{API}/hubs/no-such-hub")

        assert response.status_code == 404
        assert response.json() == {"detail": "No hub has the slug 'no-such-hub'."}


class TestSchema:
    def test_the_openapi_document_has_the_four_school_and_hub_paths(self, client, db):
        # test_programmes_api and test_applications_api check their own paths
        response = client.get(f"{API}/openapi.json")

        assert response.status_code == 200
        assert set(response.json()["paths"]) >= {
            "/api/v1/schools",
            "/api/v1/schools/{urn}",
            "/api/v1/hubs",
            "/api/v1/hubs/{slug}",
        }

    def test_the_docs_page_responds(self, client, db):
        response = client.get(f"{API}/docs")

        assert response.status_code == 200
        assert b"openapi.json" in response.content
