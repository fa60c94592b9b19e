"""Marking under load: assessors saving marks at the same moment lose nothing, and a first mark
racing an unassignment leaves one of them done and the other refused.

Each thread has its own database connection, so the test needs real transactions
(transaction=True); PostgreSQL serialises saves of one assessment with a row lock."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections

from cpdnet.accreditation import services
from cpdnet.accreditation.models import SECTION_KEYS, Assessment, SectionMark
from cpdnet.accreditation.services import AccreditationRefused
from cpdnet.audit.models import AuditEntry
from cpdnet.hubs.services import ensure_networks
from cpdnet.schools.services import load_local_authorities
from tests.factories import (
    ApplicationFactory,
    HubFactory,
    OfferingFactory,
    RoleAssignmentFactory,
    SchoolFactory,
    UserFactory,
)

from .conftest import write_every_section

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def two_assignments(settings):
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            "QUEUES": ["default"],
        }
    }
    load_local_authorities()  # transactional tests empty the tables the migration filled
    network = ensure_networks()["maths"]
    cohort = OfferingFactory(
        hub=HubFactory(network=network), programme__network=network, programme__kind="accreditation"
    )
    national = RoleAssignmentFactory(role="national_staff").user
    assignments = []
    for n in range(2):
        application = ApplicationFactory(offering=cohort, state="accepted")
        candidacy = services.open_candidacy(application)
        write_every_section(candidacy, application.applicant)
        version = services.submit_evidence(candidacy, by=application.applicant)
        assessor = UserFactory(email=f"racer{n}@example.org", school=SchoolFactory(la_code="926"))
        RoleAssignmentFactory(user=assessor, role="assessor")
        assignments.append(services.assign_assessor(version, assessor, by=national))
    return assignments


def test_two_assessors_saving_every_section_at_once_lose_nothing(two_assignments):
    # Given two assessors, each about to save each of the four sections from its own thread
    calls = [(assessment, section) for assessment in two_assignments for section in SECTION_KEYS]
    barrier = threading.Barrier(len(calls))
    errors = []

    def save(assessment, section):
        try:
            barrier.wait(timeout=30)
            services.save_marks(
                assessment,
                marks={section: (True, f"{assessment.assessor.email} on {section}")},
                by=assessment.assessor,
            )
        except Exception as error:  # reported below (e.g. a deadlock)
            errors.append(f"{type(error).__name__}: {error}")
        finally:
            connections.close_all()

    # When all eight saves are released together
    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        list(pool.map(lambda call: save(*call), calls))

    # Then every mark is kept, with its own feedback, and each save was audited
    assert errors == []
    for assessment in two_assignments:
        marks = dict(
            SectionMark.objects.filter(assessment=assessment).values_list("section", "feedback")
        )
        assert marks == {
            section: f"{assessment.assessor.email} on {section}" for section in SECTION_KEYS
        }
    assert AuditEntry.objects.filter(action="accreditation.assessment.marked").count() == 8


def test_a_first_mark_racing_an_unassignment_leaves_one_done_and_one_refused(two_assignments):
    # Given an assessor about to save a first mark as national staff unassign them
    assessment = two_assignments[0]
    national = RoleAssignmentFactory(role="national_staff").user
    barrier = threading.Barrier(2)
    refusals, errors = [], []

    def run(call):
        try:
            barrier.wait(timeout=30)
            call()
        except AccreditationRefused as refused:
            refusals.append(refused.reason)
        except Exception as error:  # reported below (e.g. a deadlock)
            errors.append(f"{type(error).__name__}: {error}")
        finally:
            connections.close_all()

    calls = [
        lambda: services.save_marks(
            assessment, marks={"rationale": (True, "Clear")}, by=assessment.assessor
        ),
        lambda: services.unassign_assessor(assessment, reason="Away", by=national),
    ]

    # When both are released together
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(run, calls))

    # Then exactly one was refused, with a reason, and the other is what happened
    assert errors == []
    assert len(refusals) == 1
    if Assessment.objects.filter(pk=assessment.pk).exists():
        assert refusals == [
            "The assessor has begun marking this submission, so they cannot be unassigned."
        ]
    else:
        assert refusals == ["This submission is no longer assigned to you."]
