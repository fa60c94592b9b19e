"""Helpers for the hub back office tests."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import ApplicationFactory, TeacherFactory


def applicant(email: str, school_name: str = "", **fields):
    """An application by a teacher with this email (and school name, if given)."""
    teacher = TeacherFactory(email=email, **({"school__name": school_name} if school_name else {}))
    return ApplicationFactory(applicant=teacher, **fields)


def count_queries(client, url: str) -> int:
    """Queries of one GET, after a first GET has warmed any per-process cache."""
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)
