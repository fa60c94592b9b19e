"""A burst of registrations for a popular webinar: exactly its places are confirmed, everyone
else waits, nothing fails and nobody is registered twice.

Each thread has its own database connection (closed when its call ends), so the tests need
real transactions (transaction=True). PostgreSQL serialises registrations for one webinar with
a row lock on the offering (SELECT ... FOR UPDATE); SQLite with BEGIN IMMEDIATE (settings), so
the same test runs on both. The 200 registrations go in waves of 40 threads released together:
PostgreSQL's default max_connections (100) is shared with the test server and other clients,
so 200 connections at once would fail for want of connections, not for anything cpdnet does.
"""

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from cpdnet.applications.tests.test_concurrency import IMMEDIATE_TASKS
from cpdnet.events import services
from cpdnet.events.models import Registration, RegistrationStatus
from cpdnet.events.tests.factories import WebinarFactory

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]

WORKERS = 40


@pytest.fixture(autouse=True)
def _emails_sent_at_once(settings):
    settings.TASKS = IMMEDIATE_TASKS


def _burst(offering, emails: list[str]) -> list[tuple[str, str, str]]:
    """Register each email, WORKERS at a time, each wave released together; return
    (email, outcome, code) per call."""
    barrier = threading.Barrier(WORKERS)

    def register(email: str) -> tuple[str, str, str]:
        try:
            barrier.wait(timeout=60)
            registration = services.register(
                offering=offering, name="Burst Tester", email=email, job_role="class_teacher"
            )
            return (email, registration.status, "")
        except services.RegistrationError as error:
            return (email, "refused", error.code)
        except Exception as error:  # reported by the test (e.g. "database is locked")
            return (email, "error", f"{type(error).__name__}: {error}")
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        return list(pool.map(register, emails))


def test_two_hundred_registrations_at_once_for_fifty_places(mailoutbox):
    # Given a webinar with 50 places
    webinar = WebinarFactory(capacity=50)
    emails = [f"teacher{n}@burst.example.org" for n in range(200)]

    # When 200 people register at once
    results = _burst(webinar, emails)

    # Then nothing failed, 50 have places and 150 wait
    errors = [result for result in results if result[1] == "error"]
    assert errors == [], f"{connection.vendor}: {errors[:3]}"
    assert Counter(outcome for _, outcome, _ in results) == {"confirmed": 50, "waitlisted": 150}
    # And the database agrees, one row per person
    stored = Counter(Registration.objects.filter(offering=webinar).values_list("status", flat=True))
    assert stored == {RegistrationStatus.CONFIRMED: 50, RegistrationStatus.WAITLISTED: 150}
    assert Registration.objects.filter(offering=webinar).count() == 200
    # And the first 50 in the queue are the confirmed ones
    queue = list(
        Registration.objects.filter(offering=webinar)
        .order_by("created_at", "id")
        .values_list("status", flat=True)
    )
    assert set(queue[:50]) == {RegistrationStatus.CONFIRMED}
    # And each person was emailed once, with what happened to them
    assert sorted(message.to[0] for message in mailoutbox) == sorted(emails)
    told = Counter(message.subject.split(":")[0] for message in mailoutbox)
    assert told == {"You are registered": 50, "You are on the waiting list": 150}


def test_the_same_email_sent_forty_times_at_once_is_registered_once():
    webinar = WebinarFactory(capacity=50)

    emails = ["same@burst.example.org" if n % 2 else "SAME@Burst.Example.org" for n in range(40)]

    results = _burst(webinar, emails)

    assert [result for result in results if result[1] == "error"] == []
    assert Counter((outcome, code) for _, outcome, code in results) == {
        ("confirmed", ""): 1,
        ("refused", "already_registered"): WORKERS - 1,
    }
    assert Registration.objects.filter(offering=webinar).count() == 1
