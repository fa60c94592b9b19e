"""Nearest schools and name search over the shipped register give the first implementations'
answers, in the same order.

The references below are those first implementations, kept only here: nearest schools scanned
every open school within 10 km east-west and north-south; name search matched each typed word
with LIKE. The selectors now go through indexes (a widening grid square; SQLite FTS5 or a
PostgreSQL tsvector) and must not change a single answer or its rank.
"""

import csv
import gzip
import random

import pytest
from django.db.models import Case, F, IntegerField, Q, Value, When

from cpdnet.schools.importer import STATUSES
from cpdnet.schools.models import School, SchoolStatus
from cpdnet.schools.postcodes import get_postcode_index
from cpdnet.schools.search import query_words, school_search_text, search_text, words
from cpdnet.schools.selectors import list_nearest_schools, list_schools_matching, search_schools

REGISTER = "src/cpdnet/schools/demo_data/schools_england.csv.gz"
# A dense region (Tyneside, Teesside) and a sparse one (Cornwall, Devon, the moors).
REGIONS = {"North East", "South West"}


def reference_nearest(place, *, limit=10, radius=10_000):
    schools = (
        School.objects.filter(
            status__in=SchoolStatus.open_values(),
            easting__range=(place.easting - radius, place.easting + radius),
            northing__range=(place.northing - radius, place.northing + radius),
        )
        .annotate(
            distance_squared=(F("easting") - place.easting) * (F("easting") - place.easting)
            + (F("northing") - place.northing) * (F("northing") - place.northing)
        )
        .order_by("distance_squared", "urn")[:limit]
    )
    return [(school.urn, round(school.distance_squared**0.5)) for school in schools]


@pytest.fixture
def real_register(db):
    """The shipped register's schools of two regions, and the postcodes they give."""
    with gzip.open(REGISTER, "rt", encoding="utf-8") as register:
        rows = [row for row in csv.DictReader(register) if row["GOR (name)"] in REGIONS]
    School.objects.bulk_create(
        [
            School(
                urn=int(row["URN"]),
                name=row["EstablishmentName"],
                search_text=school_search_text(row["EstablishmentName"], row["Town"]),
                status=STATUSES[row["EstablishmentStatus (name)"].lower()],
                la_code=row["LA (code)"],
                postcode=row["Postcode"],
                easting=int(row["Easting"]) if row["Easting"] else None,
                northing=int(row["Northing"]) if row["Northing"] else None,
            )
            for row in rows
        ],
        batch_size=1000,
    )
    return sorted({row["Postcode"] for row in rows if row["Postcode"]})


def test_nearest_schools_of_300_real_postcodes_and_their_outcodes_match_the_reference(
    real_register,
):
    # Given the schools of two regions and 300 of their postcodes (open and closed schools')
    postcodes = random.Random(13).sample(real_register, 300)  # noqa: S311 - a fixed sample
    index = get_postcode_index()
    places = [index.locate_postcode(postcode) for postcode in postcodes]
    places += [index.locate_outcode(postcode.split()[0]) for postcode in postcodes[:100]]
    places = [place for place in places if place is not None]
    assert len(places) > 350

    # When each place's nearest schools are listed, then they are the reference's, in order
    differences = [
        place.label
        for place in places
        if [(school.urn, metres) for school, metres in list_nearest_schools(place)]
        != reference_nearest(place)
    ]
    assert differences == []


def test_a_place_far_from_every_school_gets_those_within_10_km_like_the_reference(
    real_register, django_assert_max_num_queries
):
    # Given a point in the sea off Cornwall with few schools within 10 km
    place = get_postcode_index().locate_postcode("TR21 0PT")  # St Mary's, Isles of Scilly

    # When its nearest schools are listed, the square widens at most three times
    with django_assert_max_num_queries(4):
        nearest = list_nearest_schools(place)

    assert [(school.urn, metres) for school, metres in nearest] == reference_nearest(place)
    assert len(nearest) < 10


def reference_matching(text):
    typed_words = query_words(text)
    condition = Q()
    for word in typed_words:
        word_condition = Q(search_text__contains=f" {word}")
        if word == "st":
            word_condition |= Q(search_text__contains=" saint ")
        condition &= word_condition
    typed = search_text(" ".join(typed_words))
    schools = (
        School.objects.filter(condition)
        .annotate(
            closed_rank=Case(
                When(status=SchoolStatus.CLOSED, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            ),
            match_rank=Case(
                When(search_text__startswith=f"{typed}/", then=Value(0)),
                When(search_text__startswith=typed.rstrip(), then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            ),
        )
        .order_by("closed_rank", "match_rank", "name", "urn")
    )
    return list(schools.values_list("urn", flat=True))


def name_queries(count):
    """Queries as people type them, from real names: whole words, prefixes, "St", towns."""
    sample = random.Random(14).sample(  # noqa: S311 - a fixed sample
        list(School.objects.values_list("name", "search_text")), count
    )
    queries = ["st", "st mary", "saint marys", "st. john's", "c of e", "church & state", "1st"]
    for number, (name, text) in enumerate(sample):
        name_words = words(name)
        town = text.split("/")[1].split()
        shapes = [
            name_words[:1],
            name_words[:2],
            [*name_words[:1], *(word[:3] for word in name_words[1:2])],
            [*name_words[1:3], *town[:1]],
            [word[:2] for word in reversed(name_words[:3])],
        ]
        queries.append(name if number % 7 == 0 else " ".join(shapes[number % len(shapes)]))
    return [query for query in queries if query_words(query)]


def test_name_search_of_200_real_queries_gives_the_reference_schools_in_the_same_order(
    real_register,
):
    # Given the schools of two regions and queries made from their names
    queries = name_queries(200)

    # When each is searched, then the schools and their order are the reference's
    differences = [
        query
        for query in queries
        if list(list_schools_matching(query).values_list("urn", flat=True))
        != reference_matching(query)
    ]
    assert differences == []
    assert sum(1 for query in queries if reference_matching(query)) > 150


def test_search_pages_of_200_real_queries_give_the_reference_schools_count_and_order(
    real_register, django_assert_max_num_queries
):
    # Given the schools of two regions and queries made from their names
    queries = name_queries(200)

    # When each is searched a page at a time (pages of 7, and one past the end)
    differences = []
    for query in queries:
        reference = reference_matching(query)
        pages = []
        for offset in range(0, len(reference) + 7, 7):
            with django_assert_max_num_queries(1 if offset < len(reference) or not offset else 2):
                found = search_schools(query, offset=offset, limit=7)
            assert found.count == len(reference), query
            pages += [school["urn"] for school in found.schools]
            if offset > 140:
                pages += reference[len(pages) :]  # enough pages read for a long list
                break
        if pages != reference:
            differences.append(query)

    # Then the pages hold the reference's schools in its order, with its count
    assert differences == []
