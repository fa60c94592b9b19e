"""Journeys through "Find your hub" in a real browser, with and without JavaScript."""

import re

import pytest
from playwright.sync_api import expect

from cpdnet.hubs.services import ensure_networks
from cpdnet.schools.models import SchoolStatus
from cpdnet.schools.services import load_local_authorities
from tests.factories import HubAreaFactory, HubFactory, SchoolFactory

from .conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def leeds(transactional_db):
    """Leeds with one maths hub and one science partnership, and three schools."""
    load_local_authorities()  # transactional tests empty the tables the migration filled
    networks = ensure_networks()
    maths = HubFactory(
        network=networks["maths"], slug="west-yorkshire-maths-hub", name="West Yorkshire Maths Hub"
    )
    science = HubFactory(
        network=networks["science"],
        slug="science-yorkshire",
        name="Yorkshire Science Learning Partnership (demo)",
    )
    HubAreaFactory(hub=maths, local_authority_id="383")
    HubAreaFactory(hub=science, local_authority_id="383")
    near = SchoolFactory(
        urn=107999, name="St Mary's Catholic Primary School", easting=429400, northing=433400
    )
    SchoolFactory(urn=107998, name="Quarry Mount Primary School", easting=428000, northing=435500)
    SchoolFactory(urn=107997, name="St Mary's Church of England School", status=SchoolStatus.CLOSED)
    return {"maths": maths, "science": science, "school": near}


def test_find_hub_by_partial_name_with_javascript(page, live_server, leeds):
    page.goto(f"{live_server.url}/find-your-hub/")
    assert_accessible(page)

    page.get_by_label("School name, URN or postcode").fill("mary cath")
    option = page.get_by_role("option", name=re.compile("St Mary's Catholic Primary School"))
    expect(option).to_be_visible()
    assert_accessible(page)
    option.click()

    expect(page).to_have_url(re.compile(r"/find-your-hub/schools/107999/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("St Mary's Catholic Primary School")
    expect(page.get_by_role("link", name="West Yorkshire Maths Hub")).to_be_visible()
    expect(
        page.get_by_role("link", name="Yorkshire Science Learning Partnership (demo)")
    ).to_be_visible()
    expect(
        page.get_by_role("img", name=re.compile("Map of the area served by West Yorkshire"))
    ).to_be_visible()
    assert_accessible(page)


def test_find_hub_by_partial_name_without_javascript(page_without_javascript, live_server, leeds):
    page = page_without_javascript
    page.goto(f"{live_server.url}/find-your-hub/")

    page.get_by_label("School name, URN or postcode").fill("ST. MARYS")
    page.get_by_role("button", name="Search").click()

    expect(page.get_by_role("heading", name=re.compile("2 schools matching"))).to_be_visible()
    results = page.locator(".app-result-list > li")
    expect(results.first).to_contain_text("St Mary's Catholic Primary School")
    expect(results.nth(1)).to_contain_text("Closed")
    assert_accessible(page, javascript=False)

    page.get_by_role("link", name="St Mary's Catholic Primary School").click()
    expect(page.get_by_role("link", name="West Yorkshire Maths Hub")).to_be_visible()
    assert_accessible(page, javascript=False)


def test_empty_search_shows_an_error_summary(page_without_javascript, live_server, leeds):
    page = page_without_javascript
    page.goto(f"{live_server.url}/find-your-hub/?q=")

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter a school name, URN or postcode")
    expect(page).to_have_title(re.compile("^Error: "))
    assert_accessible(page, javascript=False)


def test_find_hub_by_postcode(page, live_server, leeds):
    page.goto(f"{live_server.url}/find-your-hub/")

    page.get_by_label("School name, URN or postcode").fill("ls1 4ap")
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("Hubs for LS1 4AP")
    expect(page.get_by_role("link", name="West Yorkshire Maths Hub")).to_be_visible()
    nearest = page.locator("ol.app-result-list > li")
    expect(nearest.first).to_contain_text("St Mary's Catholic Primary School")
    expect(nearest.first).to_contain_text("metres away")
    assert_accessible(page)


def test_hub_page_shows_its_area_on_a_map(page, live_server, leeds):
    page.goto(f"{live_server.url}/hubs/west-yorkshire-maths-hub/")

    expect(page.get_by_role("heading", level=1)).to_have_text("West Yorkshire Maths Hub")
    expect(page.locator(".govuk-summary-list")).to_contain_text("Leeds")
    assert page.locator("path.app-map__area--hub").count() == 1
    assert_accessible(page)
