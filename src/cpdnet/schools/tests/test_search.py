"""Name normalisation, school search, query classification and the nearest schools."""

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cpdnet.schools.models import SchoolStatus
from cpdnet.schools.postcodes import Place
from cpdnet.schools.search import search_text, words
from cpdnet.schools.selectors import classify_query, list_nearest_schools, list_schools_matching
from tests.factories import SchoolFactory


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("OAKWOOD Primary", ["oakwood", "primary"]),
        ("St. Mary's C of E (VA) School", ["saint", "marys", "c", "of", "e", "va", "school"]),
        ("St Mary\u2019s", ["saint", "marys"]),
        ("Saint Mary's", ["saint", "marys"]),
        ("Stoke Park", ["stoke", "park"]),
        ("Church & State", ["church", "and", "state"]),
        ("Church&State", ["church", "and", "state"]),
        ("Dene-Magna, Mitcheldean", ["dene", "magna", "mitcheldean"]),
        ("Ysgol Gymraeg \u2014 Ffion\u2019s", ["ysgol", "gymraeg", "ffions"]),
        ("École Française", ["ecole", "francaise"]),
        ("Year 7-11 Centre", ["year", "7", "11", "centre"]),
        ("", []),
        ("  --  ", []),
    ],
)
def test_words_are_lower_case_ascii_without_punctuation_with_st_as_saint(text, expected):
    assert words(text) == expected


def test_the_same_name_written_differently_has_the_same_search_text():
    spellings = ["St. Mary's & St John's", "ST MARYS AND SAINT JOHNS", "st marys and st. johns"]

    assert {search_text(name) for name in spellings} == {" saint marys and saint johns "}


def test_search_text_pads_the_words_with_spaces():
    assert search_text("Oakwood Primary") == " oakwood primary "


@given(st.text())
def test_search_text_is_space_padded_lower_case_ascii_letters_digits_and_spaces(text):
    result = search_text(text)

    assert result.startswith(" ")
    assert result.endswith(" ")
    assert re.fullmatch(r"[a-z0-9 ]*", result)


@given(st.text())
def test_search_text_has_single_spaces_between_words(text):
    inner = search_text(text)[1:-1]

    assert inner == "" or (inner == inner.strip(" ") and "  " not in inner)


def _names(queryset) -> list[str]:
    return [school.name for school in queryset]


@pytest.mark.django_db
def test_partial_words_in_any_order_find_a_school():
    SchoolFactory(name="St Mary's Catholic Primary School, Leeds")
    SchoolFactory(name="St Mark's Primary School, Leeds")
    SchoolFactory(name="Mary Webb School, Shrewsbury")

    assert _names(list_schools_matching("mary leeds st")) == [
        "St Mary's Catholic Primary School, Leeds"
    ]
    assert _names(list_schools_matching("cath prim mar")) == [
        "St Mary's Catholic Primary School, Leeds"
    ]


@pytest.mark.django_db
def test_words_must_match_the_start_of_a_word_not_its_middle():
    SchoolFactory(name="Rosemary Lane Primary")

    assert _names(list_schools_matching("mary")) == []
    assert _names(list_schools_matching("rose")) == ["Rosemary Lane Primary"]


@pytest.mark.parametrize("query", ["ST MARY'S", "st marys", "St. Mary’s", "saint mary", "Saint"])
@pytest.mark.django_db
def test_search_ignores_case_and_punctuation_and_saint_finds_st(query):
    SchoolFactory(name="St Mary's Catholic Primary School, Leeds")
    SchoolFactory(name="Oakwood Primary")

    assert _names(list_schools_matching(query)) == ["St Mary's Catholic Primary School, Leeds"]


@pytest.mark.django_db
def test_st_typed_finds_both_saints_and_names_starting_st():
    SchoolFactory(name="St Anne's Primary")
    SchoolFactory(name="Stoke Park School")
    SchoolFactory(name="Oakwood Primary")
    SchoolFactory(name="Bestwood Primary")

    assert _names(list_schools_matching("st")) == ["St Anne's Primary", "Stoke Park School"]


@pytest.mark.django_db
def test_ampersand_and_and_find_the_same_schools():
    SchoolFactory(name="Church & Town School")

    assert _names(list_schools_matching("church and town")) == ["Church & Town School"]
    assert _names(list_schools_matching("church & town")) == ["Church & Town School"]


@pytest.mark.django_db
def test_closed_schools_are_ranked_after_open_ones():
    SchoolFactory(name="Abbey Grange Academy", status=SchoolStatus.CLOSED)
    SchoolFactory(name="Zetland Grange School", status=SchoolStatus.OPEN)
    SchoolFactory(name="Grange Primary", status=SchoolStatus.OPEN_PROPOSED_TO_CLOSE)

    assert _names(list_schools_matching("grange")) == [
        "Grange Primary",
        "Zetland Grange School",
        "Abbey Grange Academy",
    ]


@pytest.mark.django_db
def test_the_exact_name_comes_before_names_that_start_with_it_then_names_containing_it():
    SchoolFactory(name="Abbey Saint Anne's School")  # contains the words
    SchoolFactory(name="Saint Annes Academy")  # starts with them, sorts first by name
    SchoolFactory(name="St. Anne's")  # exactly the words typed

    assert _names(list_schools_matching("saint anne's")) == [
        "St. Anne's",
        "Saint Annes Academy",
        "Abbey Saint Anne's School",
    ]


@pytest.mark.django_db
def test_a_urn_finds_that_school_only():
    school = SchoolFactory(urn=107654, name="Oakwood Primary")
    SchoolFactory(urn=107655, name="School 107654 Centre")

    assert list(list_schools_matching(" 107654 ")) == [school]


@pytest.mark.parametrize("query", ["", "   ", "'--'", None])
@pytest.mark.django_db
def test_an_empty_query_finds_nothing(query):
    SchoolFactory(name="Oakwood Primary")

    assert list(list_schools_matching(query)) == []


@pytest.mark.django_db
def test_a_query_of_superscript_digits_finds_nothing_instead_of_crashing():
    # "²".isdigit() is True, so classify_query calls it a URN and int("²") fails.
    SchoolFactory(name="Oakwood Primary")

    assert list(list_schools_matching("²")) == []


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("100000", "urn"),
        (" 1234567 ", "urn"),
        ("12345678", "name"),
        ("LS1 4AP", "postcode"),
        ("ls14ap", "postcode"),
        ("ls1  4ap", "postcode"),
        ("LS1", "outcode"),
        ("ls1", "outcode"),
        ("M1", "outcode"),
        ("Leeds", "name"),
        ("ZZ1", "name"),  # shaped like an outcode but not one in England
        ("St Mary's", "name"),
        ("", "empty"),
        ("   ", "empty"),
    ],
)
def test_classify_query_tells_urns_postcodes_outcodes_and_names_apart(text, kind):
    assert classify_query(text).kind == kind


def test_classify_query_keeps_the_stripped_text():
    assert classify_query("  LS1 4AP ").text == "LS1 4AP"


LEEDS = Place("LS1 4AP", 430000, 433000, "E08000035")


@pytest.mark.django_db
def test_nearest_schools_are_open_ones_ordered_by_distance_in_metres():
    far = SchoolFactory(name="Five km", easting=433000, northing=437000)
    near = SchoolFactory(name="300 m", easting=430300, northing=433000)
    middle = SchoolFactory(name="1 km", easting=430000, northing=432000)
    closing = SchoolFactory(
        name="2 km, closing", status=SchoolStatus.OPEN_PROPOSED_TO_CLOSE, easting=428000
    )
    SchoolFactory(name="Closed, 100 m", status=SchoolStatus.CLOSED, easting=430100)
    SchoolFactory(name="Not yet open", status=SchoolStatus.PROPOSED_TO_OPEN, easting=430050)
    SchoolFactory(name="Other side of the country", easting=530000, northing=180000)
    SchoolFactory(name="No grid position", easting=None, northing=None)

    nearest = list_nearest_schools(LEEDS)

    assert [(school.urn, school.name, metres) for school, metres in nearest] == [
        (school.urn, school.name, metres)
        for school, metres in [(near, 300), (middle, 1000), (closing, 2000), (far, 5000)]
    ]


@pytest.mark.django_db
def test_nearest_schools_are_limited_and_read_in_one_query(django_assert_num_queries):
    for offset in range(12):
        SchoolFactory(easting=430000 + 100 * offset, northing=433000)

    with django_assert_num_queries(1):
        nearest = list_nearest_schools(LEEDS, limit=5)
        names = [school.name for school, _ in nearest]

    assert [distance for _, distance in nearest] == [0, 100, 200, 300, 400]
    assert len(names) == 5


@pytest.mark.django_db
def test_a_search_can_name_the_town_as_well_as_the_school():
    SchoolFactory(name="St Mary's Catholic Primary School", town="Leeds")
    SchoolFactory(name="St Mary's Catholic Primary School", town="Bradford")
    SchoolFactory(name="Leeds Mathematics School", town="Leeds")

    found = list_schools_matching("st marys leeds")

    assert [(school.name, school.town) for school in found] == [
        ("St Mary's Catholic Primary School", "Leeds")
    ]


@pytest.mark.django_db
def test_a_town_word_does_not_outrank_a_school_named_exactly_as_typed():
    SchoolFactory(name="Aardvark Primary School", town="Kingston")
    SchoolFactory(name="Kingston Academy", town="Hull")

    found = list_schools_matching("kingston academy")

    assert [school.name for school in found] == ["Kingston Academy"]
    assert [school.name for school in list_schools_matching("kingston")] == [
        "Kingston Academy",
        "Aardvark Primary School",
    ]
