"""Fixtures for the hubs tests: the two networks and places in Leeds and Lancashire."""

import pytest

from cpdnet.hubs.services import ensure_networks
from tests.factories import SchoolFactory

LEEDS = ("383", "E08000035")
LANCASTER = ("888", "E07000121")
PRESTON = ("888", "E07000123")
WYRE = ("888", "E07000128")
ASHFIELD = ("891", "E07000170")
BASSETLAW = ("891", "E07000171")
BIRMINGHAM = ("330", "E08000025")


@pytest.fixture
def networks(db):
    return ensure_networks()


@pytest.fixture
def maths(networks):
    return networks["maths"]


@pytest.fixture
def science(networks):
    return networks["science"]


def school_in(place: tuple[str, str], **fields):
    """A school in the authority and district given as (LA code, district code)."""
    la_code, district_code = place
    return SchoolFactory(la_code=la_code, district_code=district_code, **fields)
