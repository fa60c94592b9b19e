"""An offering in hub A with three sessions that have taken place, its people, and the people
who must not reach it: another teacher, a participant of hub B's offering, a withdrawn
applicant and hub B's facilitator."""

import datetime
from dataclasses import dataclass

import pytest
from django.utils import timezone

from cpdnet.hubs.services import ensure_networks
from tests.factories import (
    ApplicationFactory,
    HubFactory,
    OfferingFactory,
    ProgrammeFactory,
    RoleAssignmentFactory,
    SessionFactory,
    TeacherFactory,
    UserFactory,
)


@dataclass
class World:
    offering: object
    other_offering: object
    sessions: list
    participant: object  # accepted application on `offering`
    facilitator: object
    hub_staff: object
    national: object
    other_teacher: object
    other_participant: object  # accepted application on `other_offering`
    withdrawn: object  # withdrawn application on `offering`
    other_facilitator: object


def past_session(offering, days_ago: int, **fields):
    starts_at = (timezone.now() - datetime.timedelta(days=days_ago)).replace(
        second=0, microsecond=0
    )
    return SessionFactory(
        offering=offering,
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(hours=2),
        **fields,
    )


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def world(db) -> World:
    maths = ensure_networks()["maths"]
    hub_a = HubFactory(network=maths, name="Abacus Maths Hub")
    hub_b = HubFactory(network=maths, name="Bede Maths Hub")
    programme = ProgrammeFactory(
        network=maths, min_sessions_attended=None, requires_final_reflection=True
    )
    facilitator = UserFactory(email="fran@hub-a.example.org", full_name="Fran Facilitator")
    RoleAssignmentFactory(user=facilitator, role="facilitator", hub=hub_a)
    other_facilitator = UserFactory(email="bob@hub-b.example.org", full_name="Bob Facilitator")
    RoleAssignmentFactory(user=other_facilitator, role="facilitator", hub=hub_b)
    offering = OfferingFactory(programme=programme, hub=hub_a, facilitator=facilitator)
    other_offering = OfferingFactory(programme=programme, hub=hub_b, facilitator=other_facilitator)
    hub_staff = UserFactory(email="staff@hub-a.example.org", full_name="Ann Staff")
    RoleAssignmentFactory(user=hub_staff, role="hub_staff", hub=hub_a)
    national = UserFactory(email="national@example.org", full_name="Nat Ional")
    RoleAssignmentFactory(user=national, role="national_staff")
    participant = ApplicationFactory(
        offering=offering,
        state="accepted",
        applicant=TeacherFactory(email="ada@school.example.org", full_name="Ada Lovelace"),
    )
    return World(
        offering=offering,
        other_offering=other_offering,
        sessions=[past_session(offering, days) for days in (30, 20, 10)],
        participant=participant,
        facilitator=facilitator,
        hub_staff=hub_staff,
        national=national,
        other_teacher=TeacherFactory(email="eve@school.example.org", full_name="Eve Other"),
        other_participant=ApplicationFactory(offering=other_offering, state="accepted"),
        withdrawn=ApplicationFactory(offering=offering, state="withdrawn"),
        other_facilitator=other_facilitator,
    )
