"""A school's leader sees cascade and completion per school and per teacher."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cpdnet.applications.models import LeadParticipantSwap, State
from cpdnet.applications.services import ApplicationError, swap_lead_participant
from cpdnet.audit.models import AuditEntry
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


def test_the_leader_swaps_a_lead_participant_with_history(client):
    # Given a Work Group counted in 1 school, full, with this school's lead participant, and a
    # colleague whose application waits for the school
    school = SchoolFactory()
    offering = OfferingFactory(academic_year=2026, capacity=1, school_capacity=1)
    leaving = ApplicationFactory(
        offering=offering, applicant=TeacherFactory(school=school), state=State.ACCEPTED
    )
    joining = ApplicationFactory(
        offering=offering,
        applicant=TeacherFactory(school=school, full_name="Cat Colleague"),
        state=State.AWAITING_SCHOOL_APPROVAL,
    )
    leader = _leader_of(school)
    client.force_login(leader)
    url = f"/my/school/places/{leaving.pk}/swap/"

    # When the leader chooses no one, then they are told to choose
    assert "Choose the colleague who takes the place" in client.post(url, {}).content.decode()

    # When the leader swaps in the colleague
    response = client.post(url, {"joining": joining.pk, "reason": "Moved to Year 6"})

    # Then the colleague has the place, the leaver has withdrawn, with history and audit
    assert response.status_code == 302
    leaving.refresh_from_db()
    joining.refresh_from_db()
    assert (leaving.state, joining.state) == (State.WITHDRAWN, State.ACCEPTED)
    assert [t.to_state for t in joining.history.all()] == [State.SUBMITTED, State.ACCEPTED]
    swap = LeadParticipantSwap.objects.get()
    assert (swap.leaving, swap.joining, swap.by, swap.reason) == (
        leaving,
        joining,
        leader,
        "Moved to Year 6",
    )
    assert AuditEntry.objects.filter(action="applications.lead_participant.swapped").count() == 1


def test_another_schools_leader_cannot_swap(client):
    place = ApplicationFactory(state=State.ACCEPTED)
    client.force_login(_leader_of(SchoolFactory()))

    assert client.get(f"/my/school/places/{place.pk}/swap/").status_code == 404


def test_a_swap_with_a_teacher_of_another_school_is_refused():
    offering = OfferingFactory()
    leaving = ApplicationFactory(offering=offering, state=State.ACCEPTED)
    stranger = ApplicationFactory(offering=offering)

    with pytest.raises(ApplicationError) as refused:
        swap_lead_participant(leaving=leaving, joining=stranger, by=UserFactory())

    assert refused.value.code == "not_a_colleague"
    leaving.refresh_from_db()
    assert leaving.state == State.ACCEPTED
