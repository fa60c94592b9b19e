"""An offering part-way through: two sessions held, one to come; a participant, a teacher with
no place, and national staff."""

import datetime
import importlib
from dataclasses import dataclass

import pytest
from django.apps import apps as django_apps
from django.test import Client
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
    held: list
    coming: object
    participant: object
    place: object
    outsider: object
    national: object


SEED = importlib.import_module("cpdnet.evaluation.migrations.0002_national_questions")


@pytest.fixture
def world(db) -> World:
    return build_world()


def build_world() -> World:
    # Transactional tests elsewhere empty the tables a data migration filled: seed again.
    SEED.add_questions(django_apps, None)
    maths = ensure_networks()["maths"]
    hub = HubFactory(network=maths, name="West Yorkshire Maths Hub")
    offering = OfferingFactory(
        hub=hub, programme=ProgrammeFactory(network=maths, title="Mastering Number")
    )
    now = timezone.now()
    held = [
        SessionFactory(
            offering=offering,
            starts_at=now - datetime.timedelta(days=days),
            ends_at=now - datetime.timedelta(days=days) + datetime.timedelta(hours=2),
        )
        for days in (30, 10)
    ]
    coming = SessionFactory(offering=offering, starts_at=now + datetime.timedelta(days=20))
    participant = TeacherFactory(email="zoe@school.example.org", full_name="Zoë Ødegaard-Nguyễn")
    place = ApplicationFactory(offering=offering, applicant=participant, state="accepted")
    national = UserFactory(email="national@example.org")
    RoleAssignmentFactory(user=national, role="national_staff")
    return World(
        offering=offering,
        held=held,
        coming=coming,
        participant=participant,
        place=place,
        outsider=TeacherFactory(email="outsider@school.example.org"),
        national=national,
    )


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client
