"""Two maths hubs, A and B, each with an offering this year, and the people who use the pages."""

from dataclasses import dataclass

import pytest

from cpdnet.hubs.services import ensure_networks
from cpdnet.programmes.academic_years import current_academic_year
from tests.factories import (
    HubFactory,
    OfferingFactory,
    ProgrammeFactory,
    RoleAssignmentFactory,
    TeacherFactory,
    UserFactory,
)


@dataclass
class HubWorld:
    networks: dict
    hub_a: object
    hub_b: object
    programme: object
    offering_a: object
    offering_b: object
    staff_a: object
    national: object
    teacher: object
    year: int


@pytest.fixture
def hub_world(db) -> HubWorld:
    networks = ensure_networks()
    maths = networks["maths"]
    hub_a = HubFactory(network=maths, slug="hub-a", name="Abacus Maths Hub")
    hub_b = HubFactory(network=maths, slug="hub-b", name="Bede Maths Hub")
    programme = ProgrammeFactory(network=maths, title="Primary Mastery Work Group")
    year = current_academic_year()
    offering_a = OfferingFactory(programme=programme, hub=hub_a, academic_year=year, capacity=2)
    offering_b = OfferingFactory(programme=programme, hub=hub_b, academic_year=year)
    staff_a = UserFactory(email="staff-a@hub-a.example.org", full_name="Ann Staff")
    RoleAssignmentFactory(user=staff_a, role="hub_staff", hub=hub_a)
    national = UserFactory(email="national@example.org", full_name="Nat Ional")
    RoleAssignmentFactory(user=national, role="national_staff")
    teacher = TeacherFactory(email="teacher@school.example.org")
    return HubWorld(
        networks=networks,
        hub_a=hub_a,
        hub_b=hub_b,
        programme=programme,
        offering_a=offering_a,
        offering_b=offering_b,
        staff_a=staff_a,
        national=national,
        teacher=teacher,
        year=year,
    )


@pytest.fixture
def signed_in(client):
    """Sign a person in and return the test client."""

    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in
