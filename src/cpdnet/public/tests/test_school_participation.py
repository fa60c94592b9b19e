"""A school's leader sees cascade and completion per school and per teacher."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cpdnet.applications.models import State
from cpdnet.delivery.models import Cascade
from tests.factories import (
    ApplicationFactory,
    OfferingFactory,
    RoleAssignmentFactory,
    SchoolFactory,
    TeacherFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
URL = "/my/school/participation/?year=2026"


def _leader_of(school):
    leader = UserFactory(email="head@school.example.org")
    RoleAssignmentFactory(user=leader, role="school_approver", school=school, hub=None)
    return leader


def _place(school, name, state=State.ACCEPTED, colleagues=0, classes=0):
    application = ApplicationFactory(
        offering=OfferingFactory(academic_year=2026),
        applicant=TeacherFactory(school=school, full_name=name),
        state=state,
    )
    if colleagues or classes:
        Cascade.objects.create(
            application=application, colleagues_involved=colleagues, classes_reached=classes
        )
    return application


def test_the_leader_sees_each_teacher_and_the_school_totals(client):
    # Given a school with two lead participants (one completed), and another school's teacher
    school = SchoolFactory(name="Hillside Academy")
    _place(school, "Ada Lead", State.COMPLETED, colleagues=5, classes=4)
    _place(school, "Bea Lead", colleagues=3, classes=2)
    _place(SchoolFactory(name="Elsewhere School"), "Cy Other", colleagues=9)
    client.force_login(_leader_of(school))

    # When the school's leader opens the page
    response = client.get(URL)

    # Then they see their school's totals and both teachers, and nothing of the other school
    assert response.status_code == 200
    ((summary, places),) = response.context["by_school"]
    assert (summary.participants, summary.completed) == (2, 1)
    assert (summary.colleagues_reached, summary.classes_reached) == (8, 6)
    assert [place.applicant.full_name for place in places] == ["Ada Lead", "Bea Lead"]
    assert "Cy Other" not in response.content.decode()


def test_a_teacher_is_refused(client):
    client.force_login(TeacherFactory())

    assert client.get(URL).status_code == 403


def test_the_page_asks_the_same_queries_however_many_teachers(client):
    school = SchoolFactory()
    client.force_login(_leader_of(school))
    _place(school, "First", colleagues=1)
    client.get(URL)
    with CaptureQueriesContext(connection) as few:
        client.get(URL)
    for number in range(10):
        _place(school, f"Teacher {number}", colleagues=1)

    with CaptureQueriesContext(connection) as many:
        response = client.get(URL)

    assert len(response.context["by_school"][0][1]) == 11
    assert len(many.captured_queries) == len(few.captured_queries)
