"""The insights pages in a real browser: the map renders with its legend and table; axe-clean."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from cpdnet.hubs.services import ensure_networks
from cpdnet.programmes.academic_years import current_academic_year
from cpdnet.schools.services import load_local_authorities
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories import (
    ApplicationFactory,
    HubAreaFactory,
    HubFactory,
    OfferingFactory,
    ProgrammeFactory,
    RoleAssignmentFactory,
    SchoolFactory,
    TeacherFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(transactional_db):
    load_local_authorities()  # transactional tests empty the tables the migration filled
    maths = ensure_networks()["maths"]
    hub = HubFactory(network=maths, slug="hub-a", name="Abacus Maths Hub")
    HubAreaFactory(hub=hub, local_authority_id="383")
    year = current_academic_year()
    offering = OfferingFactory(
        hub=hub, programme=ProgrammeFactory(network=maths), academic_year=year
    )
    for number in range(1, 9):
        school = SchoolFactory(percentage_fsm=Decimal(number * 5), pupils=number * 90)
        if number % 3 == 0:
            ApplicationFactory(
                offering=offering, applicant=TeacherFactory(school=school), school=school,
                state="accepted",
            )  # fmt: skip
    national = UserFactory(email="national@example.org")
    RoleAssignmentFactory(user=national, role="national_staff")
    staff = UserFactory(email="staff@hub-a.example.org")
    RoleAssignmentFactory(user=staff, role="hub_staff", hub=hub)
    return {"national": national, "staff": staff, "year": year}


def test_the_national_map_renders_with_a_legend_and_its_table(page, live_server, world):
    sign_in(page, live_server, world["national"])

    page.goto(f"{live_server.url}/backoffice/insights/?network=maths&year={world['year']}&show=map")

    map_svg = page.locator("figure.app-map svg[role=img]").first
    expect(map_svg).to_be_visible()
    assert map_svg.locator("path").count() > 100  # every authority of England
    expect(page.get_by_text("Key: share of schools engaged")).to_be_visible()
    expect(page.get_by_text("40% or more (darkest)")).to_be_visible()
    leeds = map_svg.locator("path title", has_text="Leeds: 2 of 8 schools engaged (25.0%)")
    expect(leeds).to_have_count(1)
    page.get_by_role("link", name="By hub").click()
    expect(page.get_by_role("link", name="By hub")).to_have_attribute("aria-current", "page")
    hub_table = page.get_by_role("table", name="Schools engaged by hub")
    expect(hub_table.get_by_role("row", name="Abacus Maths Hub")).to_contain_text("25.0%")
    assert_accessible(page)


def test_the_hub_schools_and_impact_pages_are_accessible_without_javascript(
    page_without_javascript, live_server, world
):
    page = page_without_javascript
    sign_in(page, live_server, world["staff"])

    for path in (
        f"/backoffice/insights/hubs/hub-a/?year={world['year']}",
        f"/backoffice/insights/schools/?hub=hub-a&year={world['year']}&engaged=yes",
        "/backoffice/insights/impact/",
    ):
        page.goto(f"{live_server.url}{path}")
        expect(page.locator("h1")).to_be_visible()
        assert_accessible(page, javascript=False)


@pytest.mark.parametrize(("width", "javascript"), [(1280, True), (390, False)])
def test_the_national_page_leads_with_headline_figures_and_fits_the_screen(
    page, page_without_javascript, live_server, world, width, javascript
):
    page = page if javascript else page_without_javascript
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server, world["national"])
    page.goto(f"{live_server.url}/backoffice/insights/?network=maths&year={world['year']}")

    expect(page.get_by_role("link", name="Headline figures")).to_have_attribute(
        "aria-current", "page"
    )
    expect(page.get_by_text("Hubs meeting their target")).to_be_visible()
    for section in ("Headline figures", "By hub", "Map", "Breakdown", "Over the years"):
        page.get_by_role("link", name=section, exact=True).click()
        expect(page.get_by_role("heading", level=2).first).to_be_visible()
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= width, f"{section} is {scroll_width} px wide at {width} px"
        assert_accessible(page, javascript=javascript)
