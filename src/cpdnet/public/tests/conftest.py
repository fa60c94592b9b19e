"""A small world for the public pages: Leeds served in both networks, Lancashire split."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cpdnet.hubs.services import ensure_networks
from tests.factories import HubAreaFactory, HubFactory, SchoolFactory


@pytest.fixture
def networks(db):
    return ensure_networks()


@pytest.fixture
def hubs(networks):
    maths = HubFactory(
        network=networks["maths"],
        slug="west-yorkshire-maths-hub",
        name="West Yorkshire Maths Hub",
        lead_school_name="Leeds Lead Academy",
    )
    science = HubFactory(
        network=networks["science"], slug="science-yorkshire", name="Science Yorkshire"
    )
    abacus = HubFactory(network=networks["maths"], slug="abacus", name="Abacus NW Maths Hub")
    north = HubFactory(network=networks["maths"], slug="north-lancs", name="North Lancs Maths Hub")
    HubAreaFactory(hub=maths, local_authority_id="383")
    HubAreaFactory(hub=science, local_authority_id="383")
    HubAreaFactory(hub=abacus, local_authority_id="888")
    HubAreaFactory(hub=north, local_authority_id="888", district_id="E07000121")
    return {"maths": maths, "science": science, "abacus": abacus, "north": north}


@pytest.fixture
def leeds_school(hubs):
    return SchoolFactory(urn=107999, name="St Mary's Catholic Primary School")


def count_queries(client, url: str) -> int:
    """Queries of one GET, after a first GET has warmed any per-process cache."""
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)
