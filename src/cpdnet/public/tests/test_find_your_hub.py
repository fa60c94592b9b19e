"""Home and "Find your hub": the search form, name and URN results, postcodes."""

import re

import pytest

from cpdnet.schools.models import SchoolStatus
from tests.factories import SchoolFactory

from .conftest import count_queries

FIND = "/find-your-hub/"
ERROR_SUMMARY = "There is a problem"


def _text(response) -> str:
    return response.content.decode()


def test_the_home_page_offers_the_search(client, db):
    response = client.get("/")

    assert response.status_code == 200
    assert 'action="/find-your-hub/"' in _text(response)
    assert 'href="/hubs/"' in _text(response)


def test_the_find_your_hub_page_opens_without_errors(client, db):
    response = client.get(FIND)

    assert response.status_code == 200
    assert ERROR_SUMMARY not in _text(response)
    assert "<title>Find your hub – cpdnet</title>" in _text(response)


@pytest.mark.parametrize(
    ("q", "message"),
    [
        ("", "Enter a school name, URN or postcode"),
        ("   ", "Enter a school name, URN or postcode"),
        ("a", "Enter at least 2 letters or numbers"),
        (" a ", "Enter at least 2 letters or numbers"),
        ("x" * 101, "Enter no more than 100 characters"),
    ],
    ids=["empty", "spaces", "one-character", "one-character-padded", "too-long"],
)
def test_an_invalid_search_shows_an_error_summary(client, db, q, message):
    response = client.get(FIND, {"q": q})

    assert response.status_code == 200
    text = _text(response)
    assert ERROR_SUMMARY in text
    assert f"{message}</a>" in text  # in the summary
    assert f'<span class="govuk-visually-hidden">Error:</span> {message}' in text  # by the box
    assert "<title>Error: Find your hub – cpdnet</title>" in text


def test_the_error_summary_links_to_the_search_box(client, db):
    # GOV.UK error summaries link each error to its field, so the link must find the box
    text = _text(client.get(FIND, {"q": "a"}))

    targets = re.findall(r'<li><a href="#([^"]+)">', text)
    assert targets
    for target in targets:
        assert f'id="{target}"' in text, f"the error summary links to #{target}, not on the page"


class TestNameSearch:
    @pytest.fixture
    def oaks(self, db):
        return [SchoolFactory(name=f"Oakfield School {n:02d}") for n in range(25)]

    def test_lists_the_first_twenty_with_the_total(self, client, oaks):
        response = client.get(FIND, {"q": "oakfield"})

        text = _text(response)
        assert response.status_code == 200
        assert "25 schools matching “oakfield”" in text
        assert "Oakfield School 19" in text
        assert "Oakfield School 20" not in text
        assert "Page 1 of 2" in text
        assert 'href="?q=oakfield&amp;page=2" rel="next"' in text

    def test_the_second_page_lists_the_rest(self, client, oaks):
        response = client.get(FIND, {"q": "oakfield", "page": 2})

        text = _text(response)
        assert "Page 2 of 2" in text
        assert [f"Oakfield School {n:02d}" in text for n in (19, 20, 24)] == [False, True, True]
        assert 'rel="prev"' in text
        assert 'rel="next"' not in text

    @pytest.mark.parametrize("page", ["99", "abc", "-1"])
    def test_a_page_out_of_range_shows_a_page_of_results(self, client, oaks, page):
        response = client.get(FIND, {"q": "oakfield", "page": page})

        assert response.status_code == 200
        assert "Oakfield School" in _text(response)

    def test_marks_closed_schools(self, client, db):
        SchoolFactory(name="Elm Tree School", status=SchoolStatus.CLOSED)

        text = _text(client.get(FIND, {"q": "elm tree"}))

        assert "1 school matching" in text
        assert "Closed</strong>" in text

    def test_each_school_says_where_it_is(self, client, db):
        SchoolFactory(name="Ash Grove School", town="Leeds", postcode="LS1 4AP", la_name="Leeds")
        bare = SchoolFactory(name="Ash Vale School", town="", postcode="", la_name="")

        text = _text(client.get(FIND, {"q": "ash"}))

        assert re.search(r"Leeds, LS1 4AP · URN \d+ · Leeds<", text)
        assert f">no postcode · URN {bare.urn}<" in text

    def test_says_when_nothing_matches(self, client, db):
        text = _text(client.get(FIND, {"q": "zzyzx"}))

        assert "No schools match “zzyzx”" in text

    def test_takes_the_same_queries_for_3_or_30_results(
        self, client, db, django_assert_max_num_queries
    ):
        # Given 3 matching schools
        for n in range(3):
            SchoolFactory(name=f"Birch School {n:02d}")
        url = f"{FIND}?q=birch"
        few = count_queries(client, url)

        # When there are 30
        for n in range(3, 30):
            SchoolFactory(name=f"Birch School {n:02d}")
        client.get(url)

        # Then the page of 20 takes no more queries than the page of 3
        with django_assert_max_num_queries(few):
            response = client.get(url)
        assert "30 schools matching" in _text(response)


class TestUrnSearch:
    def test_a_known_urn_goes_to_the_school_page(self, client, db):
        SchoolFactory(urn=123456, name="Numbered School")

        response = client.get(FIND, {"q": "123456"})

        assert response.status_code == 302
        assert response["Location"] == "/find-your-hub/schools/123456/"

    def test_an_unknown_urn_says_nothing_matches(self, client, db):
        response = client.get(FIND, {"q": "654321"})

        assert response.status_code == 200
        assert "No schools match “654321”" in _text(response)


class TestPostcodeSearch:
    def test_a_postcode_shows_the_hubs_for_the_place_and_the_nearest_schools(self, client, hubs):
        # Given schools near LS1 4AP, and one far away
        SchoolFactory(name="Near Primary", easting=429400, northing=433400)
        SchoolFactory(name="Further Primary", easting=431000, northing=433400)
        SchoolFactory(name="Distant Primary", easting=329400, northing=433400)
        SchoolFactory(name="Closed Near School", status=SchoolStatus.CLOSED, easting=429370)

        response = client.get(FIND, {"q": "LS1 4AP"})

        text = _text(response)
        assert response.status_code == 200
        assert "Hubs for LS1 4AP" in text
        assert "is in Leeds" in text
        assert 'href="/hubs/west-yorkshire-maths-hub/"' in text
        assert 'href="/hubs/science-yorkshire/"' in text
        assert text.index("Near Primary") < text.index("Further Primary")
        assert "Distant Primary" not in text
        assert "Closed Near School" not in text

    def test_a_postcode_is_read_however_it_is_typed(self, client, hubs):
        text = _text(client.get(FIND, {"q": "ls14ap"}))

        assert "Hubs for LS1 4AP" in text

    def test_a_postcode_in_a_district_split_off_shows_the_districts_hub(self, client, hubs):
        text = _text(client.get(FIND, {"q": "LA1 1AA"}))

        assert "North Lancs Maths Hub" in text
        assert "Abacus NW Maths Hub" not in text
        assert "No science learning partnership serves this area yet." in text

    def test_a_postcode_in_the_rest_of_the_authority_shows_the_whole_authority_hub(
        self, client, hubs
    ):
        text = _text(client.get(FIND, {"q": "PR1 2HE"}))

        assert "Abacus NW Maths Hub" in text
        assert "North Lancs Maths Hub" not in text

    def test_an_outcode_shows_the_hubs_for_its_centre(self, client, hubs):
        text = _text(client.get(FIND, {"q": "LS1"}))

        assert "Hubs for LS1" in text
        assert "West Yorkshire Maths Hub" in text

    def test_an_unknown_postcode_says_so_clearly(self, client, hubs):
        response = client.get(FIND, {"q": "ZZ99 9ZZ"})

        assert response.status_code == 200
        text = _text(response)
        assert "We could not find “ZZ99 9ZZ”" in text
        assert "not in our list of postcodes in England" in text
        assert "West Yorkshire Maths Hub" not in text
