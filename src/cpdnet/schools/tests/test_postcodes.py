"""Locating English postcodes and outcodes with the compact ONS postcode index."""

import zipfile

import pytest

from cpdnet.schools.models import District
from cpdnet.schools.postcodes import (
    get_postcode_index,
    looks_like_outcode,
    looks_like_postcode,
    normalise_postcode,
)

LEEDS_EASTING, LEEDS_NORTHING = 430000, 433000
FIVE_KM = 5000


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("LS1 4AP", "LS1 4AP"),
        ("ls14ap", "LS1 4AP"),
        ("  ls1   4ap ", "LS1 4AP"),
        ("sw1a1aa", "SW1A 1AA"),
        ("M1 1AE", "M1 1AE"),
        ("b33-8th", "B33 8TH"),
        ("ls1", "LS1"),
        ("not a postcode", "NOTAPOSTCODE"),
        ("", ""),
    ],
)
def test_normalise_postcode_gives_the_usual_form_or_the_cleaned_text(text, expected):
    assert normalise_postcode(text) == expected


@pytest.mark.parametrize(
    ("text", "postcode", "outcode"),
    [
        ("LS1 4AP", True, False),
        ("ls14ap", True, False),
        ("LS1", False, True),
        ("sw1a", False, True),
        ("Leeds", False, False),
        ("12345", False, False),
    ],
)
def test_postcodes_and_outcodes_are_recognised_by_their_shape(text, postcode, outcode):
    assert (looks_like_postcode(text), looks_like_outcode(text)) == (postcode, outcode)


@pytest.mark.parametrize("text", ["LS1 4AP", "ls14ap", " ls1 4ap "])
def test_a_leeds_postcode_is_located_in_leeds(text):
    place = get_postcode_index().locate_postcode(text)

    assert place is not None
    assert place.label == "LS1 4AP"
    assert place.district_code == "E08000035"
    assert abs(place.easting - LEEDS_EASTING) < FIVE_KM
    assert abs(place.northing - LEEDS_NORTHING) < FIVE_KM
    assert place.is_outcode is False


def test_postcodes_far_apart_are_located_far_apart():
    index = get_postcode_index()

    leeds = index.locate_postcode("LS1 4AP")
    westminster = index.locate_postcode("SW1A 1AA")

    assert westminster.district_code == "E09000033"
    assert leeds.northing - westminster.northing > 200_000


@pytest.mark.parametrize(
    "text",
    [
        "LS1 0AA",  # a real outcode, an incode it does not have
        "ZZ99 9ZZ",  # shaped like a postcode, no such outcode
        "BT1 1AA",  # Northern Ireland: not in the England index
        "not a postcode",
        "LS1",
        "",
    ],
)
def test_an_unknown_postcode_is_not_located(text):
    assert get_postcode_index().locate_postcode(text) is None


@pytest.mark.parametrize("text", ["LS1", "ls1", " ls 1 "])
def test_an_outcode_is_located_at_the_centre_of_its_postcodes(text):
    place = get_postcode_index().locate_outcode(text)

    assert place is not None
    assert place.label == "LS1"
    assert place.is_outcode is True
    assert place.district_code == "E08000035"
    assert abs(place.easting - LEEDS_EASTING) < FIVE_KM
    assert abs(place.northing - LEEDS_NORTHING) < FIVE_KM


@pytest.mark.parametrize("text", ["ZZ1", "LS1 4AP", ""])
def test_an_unknown_outcode_is_not_located(text):
    assert get_postcode_index().locate_outcode(text) is None


def test_the_index_knows_which_outcodes_it_has():
    index = get_postcode_index()

    assert index.has_outcode("LS1")
    assert index.has_outcode("M1")
    assert not index.has_outcode("ZZ1")


@pytest.mark.django_db
def test_the_district_of_a_leeds_postcode_belongs_to_leeds_local_authority():
    place = get_postcode_index().locate_postcode("LS1 4AP")

    district = District.objects.select_related("local_authority").get(code=place.district_code)

    assert district.local_authority.code == "383"
    assert district.local_authority.name == "Leeds"


def _decode_member(outcode: str) -> dict[str, tuple[int, int, str]]:
    """The member as the format describes it, decoded the plain way: {incode: place}."""
    from django.conf import settings

    with zipfile.ZipFile(settings.CPDNET_POSTCODE_INDEX) as archive:
        lines = archive.read(outcode).decode("ascii").split("\n")
    districts = lines[0].split(" ")
    easting = northing = 0
    decoded = {}
    for line in lines[1:]:
        parts = line.split(" ")
        easting, northing = easting + int(parts[1]), northing + int(parts[2])
        decoded[parts[0]] = (easting, northing, districts[int(parts[3]) if len(parts) > 3 else 0])
    return decoded


@pytest.mark.parametrize("outcode", ["LS1", "B33", "SW1A", "TR21"])
def test_every_postcode_of_an_outcode_is_located_where_the_index_puts_it(outcode):
    index = get_postcode_index()

    for incode, (easting, northing, district) in _decode_member(outcode).items():
        place = index.locate_postcode(f"{outcode} {incode}")
        assert (place.easting, place.northing, place.district_code) == (
            easting,
            northing,
            district,
        )
