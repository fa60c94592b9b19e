"""Hub staff verify a school's email domain and confirm who works there, in a real browser."""

import re

import pytest
from playwright.sync_api import expect

from cpdnet.applications.models import Affiliation, VerifiedDomain
from cpdnet.hubs.services import ensure_networks
from cpdnet.schools.services import load_local_authorities
from tests.factories import (
    HubAreaFactory,
    HubFactory,
    RoleAssignmentFactory,
    SchoolFactory,
    TeacherFactory,
    UserFactory,
)

from .conftest import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [1280, 390], ids=["desktop", "phone"])
def test_hub_staff_verify_a_domain_and_confirm_a_teacher(page, live_server, width):
    page.set_viewport_size({"width": width, "height": 900})
    load_local_authorities()
    hub = HubFactory(network=ensure_networks()["maths"], name="West Yorkshire Maths Hub")
    HubAreaFactory(hub=hub, local_authority_id="383")
    school = SchoolFactory(name="St Mary's Catholic Primary School", trust_name="Leeds Trust")
    Affiliation.objects.create(
        person=TeacherFactory(full_name="Jo Teacher", school=school), school=school
    )
    staff = UserFactory(full_name="Harry Hub")
    RoleAssignmentFactory(user=staff, role="hub_staff", hub=hub)
    sign_in(page, live_server, staff)

    # The hub's schools page lists who is waiting; staff find the school by name
    page.goto(f"{live_server.url}/backoffice/schools/")
    expect(page.get_by_role("cell", name=re.compile(r"^Jo Teacher \S+@"))).to_be_visible()
    assert_accessible(page)
    page.get_by_label("School name or URN").fill("st marys")
    page.get_by_role("button", name="Find the school").click()
    page.get_by_role("list").get_by_role("link", name="St Mary's Catholic Primary School").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("St Mary's Catholic Primary School")
    assert_accessible(page)

    # A public webmail domain is refused with the reason
    page.get_by_label("Email domain").fill("gmail.com")
    page.get_by_role("button", name="Verify this domain").click()
    expect(page).to_have_title(re.compile("^Error: "))
    expect(page.get_by_text("gmail.com is a public email service").first).to_be_visible()
    assert_accessible(page)

    # The school's own domain is verified
    page.get_by_label("Email domain").fill("stmarys.example.org")
    page.get_by_role("button", name="Verify this domain").click()
    expect(
        page.get_by_text("Addresses on stmarys.example.org can now release staff")
    ).to_be_visible()
    assert_accessible(page)
    assert VerifiedDomain.objects.get().school == school

    # and the teacher is confirmed as working there
    page.get_by_role("button", name=re.compile(r"^Confirm\W+Jo Teacher works at")).click()
    expect(
        page.get_by_text("Jo Teacher works at St Mary's Catholic Primary School: confirmed.")
    ).to_be_visible()
    assert_accessible(page)
    assert Affiliation.objects.get().state == "confirmed"
