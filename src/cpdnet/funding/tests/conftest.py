"""A residential with a bursary from a fund, and a teacher whose school released them onto it."""

import datetime
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from cpdnet.applications.models import State, Transition
from cpdnet.delivery.models import Attendance, AttendanceStatus
from cpdnet.evaluation.models import SurveyResponse
from cpdnet.funding.models import BursaryScheme, Fund
from tests.factories import (
    ApplicationFactory,
    OfferingFactory,
    RoleAssignmentFactory,
    SessionFactory,
    UserFactory,
)


@pytest.fixture(autouse=True)
def _on_commit_at_once(monkeypatch):
    # Test transactions never commit: run what waits for the commit (emails) at once.
    monkeypatch.setattr(transaction, "on_commit", lambda func, using=None, robust=False: func())


@pytest.fixture
def fund(db):
    return Fund.objects.create(
        name="Residential bursaries",
        funder="Department for Education",
        academic_year=2026,
        budget=Decimal("10000.00"),
    )


@pytest.fixture
def residential(fund):
    offering = OfferingFactory(
        programme__kind="residential", programme__title="Physics residential"
    )
    start = timezone.now() + datetime.timedelta(days=10)
    for day in range(3):
        SessionFactory(
            offering=offering,
            starts_at=start + datetime.timedelta(days=day),
            ends_at=start + datetime.timedelta(days=day, hours=6),
            mode="face_to_face",
            venue="National centre, York",
            join_url="",
        )
    BursaryScheme.objects.create(
        offering=offering,
        fund=fund,
        supply_days=Decimal("3"),
        daily_rate=Decimal("180.00"),
        travel_cap=Decimal("150.00"),
        implementation_grant=Decimal("200.00"),
        provided_in_kind="Accommodation and meals",
    )
    return offering


def released_place(offering, **fields):
    """An accepted place whose school released the teacher, with the start survey done."""
    application = ApplicationFactory(offering=offering, state=State.ACCEPTED, **fields)
    Transition.objects.create(
        application=application,
        from_state=State.AWAITING_SCHOOL_APPROVAL,
        to_state=State.SUBMITTED,
        by_label="head@school.example.org",
    )
    SurveyResponse.objects.create(application=application, kind="start")
    return application


@pytest.fixture
def place(residential):
    return released_place(residential)


def attend(application, days: int, *, end_survey: bool = True) -> None:
    """Mark the first `days` sessions attended (the rest absent) and answer the end survey."""
    for number, session in enumerate(application.offering.sessions.order_by("starts_at")):
        status = AttendanceStatus.ATTENDED if number < days else AttendanceStatus.ABSENT
        Attendance.objects.create(session=session, application=application, status=status)
    if end_survey:
        SurveyResponse.objects.create(application=application, kind="end")


@pytest.fixture
def finance_staff(db):
    return [RoleAssignmentFactory(role="finance").user for _ in range(2)]


@pytest.fixture
def school_finance(place):
    return RoleAssignmentFactory(
        role="school_finance",
        school=place.school,
        user=UserFactory(email="bursar@school.example.org"),
    ).user
