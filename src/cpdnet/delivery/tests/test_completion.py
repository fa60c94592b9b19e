"""The completion rule, and confirming completion through the applications state machine.

Decision: an excused absence does not count as attended. A programme that wants to allow for
absences says so with a lower `min_sessions_attended`.
"""

import datetime

import pytest
from django.utils import timezone

from cpdnet.applications.models import Transition
from cpdnet.audit.models import AuditEntry
from cpdnet.delivery.models import Attendance, Certificate, Reflection
from cpdnet.delivery.selectors import get_offering_progress
from cpdnet.delivery.services import DeliveryError, confirm_completion
from tests.factories import ApplicationFactory, SessionFactory

from .conftest import past_session


def mark(application, session, status, reason=""):
    Attendance.objects.create(
        application=application, session=session, status=status, reason=reason
    )


def final_reflection(application):
    Reflection.objects.create(application=application, is_final=True, text="I changed a lot.")


# sessions: the marks for the offering's sessions in order ("x" a cancelled session, its mark
# ignored); minimum: the programme's min_sessions_attended; final: the final reflection written.
CASES = [
    # sessions, minimum, final required, final written, meets, reason
    ("AAA", None, True, True, True, ""),
    ("AAB", None, True, True, False, "Attended 2 of the 3"),
    ("AAE", None, True, True, False, "Attended 2 of the 3"),  # excused is not attended
    ("AAE", 2, True, True, True, ""),  # ...unless the programme asks for fewer
    ("AA-", 2, True, True, True, ""),  # unmarked counts as not attended
    ("A--", 2, True, True, False, "Attended 1 of the 2"),
    ("AAx", None, True, True, True, ""),  # a cancelled session is not required
    ("AxA", 3, True, True, True, ""),  # nor can the minimum exceed the sessions that ran
    ("AAxA", 3, False, False, True, ""),
    ("xAA", None, True, False, False, "No final reflection yet."),
    ("AAA", None, False, False, True, ""),
]
MARKS = {"A": "attended", "B": "absent", "E": "excused"}


@pytest.mark.parametrize(("sessions", "minimum", "required", "written", "meets", "reason"), CASES)
def test_completion_rule(world, sessions, minimum, required, written, meets, reason):
    programme = world.offering.programme
    programme.min_sessions_attended = minimum
    programme.requires_final_reflection = required
    programme.save()
    world.offering.sessions.all().delete()
    for index, code in enumerate(sessions):
        session = past_session(
            world.offering, 40 - index, cancelled_at=timezone.now() if code == "x" else None
        )
        if code in MARKS:
            mark(world.participant, session, MARKS[code], "ill" if code == "E" else "")
        if code == "x":
            mark(world.participant, session, "attended")  # a stray mark must not count
    if written:
        final_reflection(world.participant)

    progress = get_offering_progress(world.offering)

    (participant,) = progress.participants
    assert participant.completion.meets_rule is meets
    assert reason in " ".join(participant.completion.reasons)


def test_confirming_completion_moves_everyone_with_a_place_and_issues_certificates(world):
    short = ApplicationFactory(offering=world.offering, state="accepted")
    for session in world.sessions:
        mark(world.participant, session, "attended")
        mark(short, session, "absent")
    final_reflection(world.participant)

    confirmed = confirm_completion(offering=world.offering, by=world.facilitator)

    assert (confirmed.completed, confirmed.not_completed) == (1, 1)
    world.participant.refresh_from_db()
    short.refresh_from_db()
    assert world.participant.state == "completed"
    assert short.state == "not_completed"
    assert "Attended 0 of the 3" in short.state_reason
    last = Transition.objects.filter(application=short).last()
    assert (last.from_state, last.to_state, last.by) == (
        "accepted",
        "not_completed",
        world.facilitator,
    )
    assert set(AuditEntry.objects.values_list("action", flat=True)) >= {
        "applications.application.completed",
        "applications.application.not_completed",
    }
    certificate = Certificate.objects.get()
    assert certificate.application == world.participant
    assert certificate.hours == 6  # three two-hour sessions attended
    withdrawn = world.withdrawn
    withdrawn.refresh_from_db()
    assert withdrawn.state == "withdrawn"


def test_completion_cannot_be_confirmed_before_the_last_session_has_ended(world):
    SessionFactory(offering=world.offering)  # next week

    with pytest.raises(DeliveryError, match="last session"):
        confirm_completion(offering=world.offering, by=world.facilitator)

    world.participant.refresh_from_db()
    assert world.participant.state == "accepted"
    assert not Certificate.objects.exists()


def test_a_later_cancelled_session_does_not_hold_completion_back(world):
    SessionFactory(offering=world.offering, cancelled_at=timezone.now())

    confirmed = confirm_completion(
        offering=world.offering, by=world.facilitator, now=timezone.now()
    )

    assert confirmed.not_completed == 1


def test_confirming_twice_changes_nothing_the_second_time(world):
    for session in world.sessions:
        mark(world.participant, session, "attended")
    final_reflection(world.participant)
    confirm_completion(offering=world.offering, by=world.facilitator)

    again = confirm_completion(
        offering=world.offering, by=world.facilitator, now=timezone.now() + datetime.timedelta(1)
    )

    assert (again.completed, again.not_completed) == (0, 0)
    assert Certificate.objects.count() == 1
