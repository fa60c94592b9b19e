"""The nearest schools of real places, from the shipped register, match a plain scan.

The reference is the first implementation (every open school within 10 km east-west and
north-south, ordered by distance then URN); list_nearest_schools widens a square through the
grid index instead, and must give exactly the same schools in the same order.
"""

import csv
import gzip
import random

import pytest
from django.db.models import F

from cpdnet.schools.importer import STATUSES
from cpdnet.schools.models import School, SchoolStatus
from cpdnet.schools.postcodes import get_postcode_index
from cpdnet.schools.search import school_search_text
from cpdnet.schools.selectors import list_nearest_schools

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


def test_a_place_far_from_every_school_gets_those_within_10_km_like_the_reference(real_register):
    # Given a point in the sea off Cornwall with few schools within 10 km
    place = get_postcode_index().locate_postcode("TR21 0PT")  # St Mary's, Isles of Scilly

    nearest = list_nearest_schools(place)

    assert [(school.urn, metres) for school, metres in nearest] == reference_nearest(place)
    assert len(nearest) < 10
