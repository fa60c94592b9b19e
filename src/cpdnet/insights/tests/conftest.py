"""A small world where every figure is known (see docs/insights.md for the definitions).

Schools 1 to 20 have 1% to 20% FSM (so the quintile cut points are 4, 8, 12 and 16), pupils
50 times their number, odd ones primary and even ones secondary, 1 to 5 in a trust. School 21
has no FSM figure, phase, size or region. Schools 22 (closed) and 23 (independent) are not
counted although their staff take part.

    Leeds (383): schools 1-8, maths hub A, but school 8 has an override to hub B
    Bradford (380): schools 13-20, hub A
    Calderdale (381): schools 9-12 and 21, hub B

Maths places in 2025: 1 accepted, 2 completed, 3 not completed, 4 accepted twice, 9 accepted,
17 completed; 5 submitted and 6 withdrawn (not engaged); 18 on a science offering only.
Earlier: 13 accepted in 2024, 14 in 2022. So in 2025 the engaged schools are 1, 2, 3, 4, 9 and
17 (6 of 21), completed 2 and 17; hub A 5 of 15, hub B 1 of 6.
"""

from dataclasses import dataclass
from decimal import Decimal

import pytest

from cpdnet.hubs import directory
from cpdnet.hubs.models import HubSchoolOverride
from cpdnet.hubs.services import ensure_networks
from cpdnet.schools.models import SchoolStatus
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

YEAR = 2025
LEEDS, BRADFORD, CALDERDALE = "383", "380", "381"
PLACES = {LEEDS: ("Leeds", "E08000035"), BRADFORD: ("Bradford", "E08000032")}
PLACES[CALDERDALE] = ("Calderdale", "E08000033")


def urn(number: int) -> int:
    return 100000 + number


def _la_of(number: int) -> str:
    if number <= 8:
        return LEEDS
    if number >= 13:
        return BRADFORD
    return CALDERDALE


def make_school(number: int, la_code: str, **fields):
    name, district = PLACES[la_code]
    values = {
        "urn": urn(number),
        "name": f"School {number:02d}",
        "la_code": la_code,
        "la_name": name,
        "district_code": district,
        "region_name": "Yorkshire and The Humber",
        **fields,
    }
    return SchoolFactory(**values)


@dataclass
class World:
    maths: object
    science: object
    hub_a: object
    hub_b: object
    schools: dict
    national: object
    staff_a: object
    staff_b: object
    evaluator: object
    teacher: object
    offering_a: object


def place(offering, school, state):
    return ApplicationFactory(
        offering=offering, applicant=TeacherFactory(school=school), school=school, state=state
    )


@pytest.fixture
def world(db, monkeypatch) -> World:
    networks = ensure_networks()
    maths, science = networks["maths"], networks["science"]
    hub_a = HubFactory(network=maths, slug="hub-a", name="Abacus Maths Hub")
    hub_b = HubFactory(network=maths, slug="hub-b", name="Bede Maths Hub")
    hub_s = HubFactory(network=science, slug="hub-s", name="Science Partnership")
    for la_code in (LEEDS, BRADFORD):
        HubAreaFactory(hub=hub_a, local_authority_id=la_code)
    HubAreaFactory(hub=hub_b, local_authority_id=CALDERDALE)
    for la_code in (LEEDS, BRADFORD, CALDERDALE):
        HubAreaFactory(hub=hub_s, local_authority_id=la_code)
    schools = {
        number: make_school(
            number,
            _la_of(number),
            percentage_fsm=Decimal(number),
            pupils=number * 50,
            phase="Primary" if number % 2 else "Secondary",
            trust_name="Trust One" if number <= 5 else "",
        )
        for number in range(1, 21)
    }
    schools[21] = make_school(
        21, CALDERDALE, percentage_fsm=None, pupils=None, phase="", region_name=""
    )
    schools[22] = make_school(22, LEEDS, status=SchoolStatus.CLOSED, percentage_fsm=Decimal(50))
    schools[23] = make_school(23, LEEDS, is_state_funded=False, percentage_fsm=Decimal(50))
    HubSchoolOverride.objects.create(school=schools[8], hub=hub_b)

    programme = ProgrammeFactory(network=maths, title="Mastery Work Group")
    offering_a = OfferingFactory(programme=programme, hub=hub_a, academic_year=YEAR)
    offering_b = OfferingFactory(programme=programme, hub=hub_b, academic_year=YEAR)
    earlier = {
        year: OfferingFactory(programme=programme, hub=hub_a, academic_year=year)
        for year in (2022, 2024)
    }
    science_offering = OfferingFactory(
        programme=ProgrammeFactory(network=science, title="Science course"),
        hub=hub_s,
        academic_year=YEAR,
    )
    for number, state in [
        (1, "accepted"),
        (2, "completed"),
        (3, "not_completed"),
        (4, "accepted"),
        (4, "accepted"),
        (5, "submitted"),
        (6, "withdrawn"),
        (17, "completed"),
        (22, "accepted"),
        (23, "accepted"),
    ]:
        place(offering_a, schools[number], state)
    place(offering_b, schools[9], "accepted")
    place(earlier[2024], schools[13], "accepted")
    place(earlier[2022], schools[14], "completed")
    place(science_offering, schools[18], "accepted")

    national = UserFactory(email="national@example.org")
    RoleAssignmentFactory(user=national, role="national_staff")
    staff_a = UserFactory(email="staff-a@example.org")
    RoleAssignmentFactory(user=staff_a, role="hub_staff", hub=hub_a)
    staff_b = UserFactory(email="staff-b@example.org")
    RoleAssignmentFactory(user=staff_b, role="hub_staff", hub=hub_b)
    evaluator = UserFactory(email="evaluator@example.org")
    RoleAssignmentFactory(user=evaluator, role="evaluator")
    teacher = TeacherFactory(email="teacher@example.org", school=schools[1])
    # The world is built inside the test's transaction: let the hub directory treat it as
    # committed, so that it loads once as it does in production instead of on every call.
    monkeypatch.setattr(directory, "_uncommitted_change", False)
    return World(
        maths,
        science,
        hub_a,
        hub_b,
        schools,
        national,
        staff_a,
        staff_b,
        evaluator,
        teacher,
        offering_a,
    )
