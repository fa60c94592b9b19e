"""A session's register is saved whole, in one transaction; corrections keep their history."""

import pytest

from cpdnet.audit.models import AuditEntry
from cpdnet.delivery.models import Attendance, AttendanceChange
from cpdnet.delivery.services import DeliveryError, Mark, save_register
from tests.factories import ApplicationFactory


@pytest.fixture
def second(world):
    return ApplicationFactory(offering=world.offering, state="accepted")


def test_a_first_register_marks_everyone_and_records_each_mark(world, second):
    session = world.sessions[0]

    saved = save_register(
        session=session,
        marks={
            world.participant.pk: Mark("attended"),
            second.pk: Mark("excused", "Year 6 residential trip"),
        },
        by=world.facilitator,
    )

    assert (saved.marked, saved.corrected, saved.unchanged) == (2, 0, 0)
    marks = dict(Attendance.objects.values_list("application_id", "status"))
    assert marks == {world.participant.pk: "attended", second.pk: "excused"}
    assert Attendance.objects.get(application=second).reason == "Year 6 residential trip"
    assert AttendanceChange.objects.filter(from_status="").count() == 2
    assert AuditEntry.objects.filter(action="delivery.register.saved").count() == 1


def test_a_late_correction_keeps_the_earlier_mark_in_history_and_is_audited(world, second):
    session = world.sessions[0]
    save_register(
        session=session,
        marks={world.participant.pk: Mark("absent"), second.pk: Mark("attended")},
        by=world.facilitator,
    )

    saved = save_register(
        session=session,
        marks={world.participant.pk: Mark("attended"), second.pk: Mark("attended")},
        by=world.hub_staff,
    )

    assert (saved.marked, saved.corrected, saved.unchanged) == (0, 1, 1)
    mark = Attendance.objects.get(application=world.participant)
    assert mark.status == "attended"
    assert [(c.from_status, c.to_status, c.by) for c in mark.history.all()] == [
        ("", "absent", world.facilitator),
        ("absent", "attended", world.hub_staff),
    ]
    correction = AuditEntry.objects.get(action="delivery.attendance.corrected")
    assert correction.actor == world.hub_staff
    assert correction.data == {"from": "absent", "to": "attended", "reason": ""}


def test_an_excused_absence_without_a_reason_is_refused_and_nothing_is_saved(world, second):
    with pytest.raises(DeliveryError, match="reason"):
        save_register(
            session=world.sessions[0],
            marks={world.participant.pk: Mark("attended"), second.pk: Mark("excused", "  ")},
            by=world.facilitator,
        )

    assert not Attendance.objects.exists()


@pytest.mark.parametrize("who", ["other_participant", "withdrawn"])
def test_a_register_naming_someone_without_a_place_is_refused_whole(world, who):
    with pytest.raises(DeliveryError, match="not a participant"):
        save_register(
            session=world.sessions[0],
            marks={world.participant.pk: Mark("attended"), getattr(world, who).pk: Mark("absent")},
            by=world.facilitator,
        )

    assert not Attendance.objects.exists()


def test_a_cancelled_session_has_no_register(world):
    from django.utils import timezone

    session = world.sessions[0]
    session.cancelled_at = timezone.now()
    session.save()

    with pytest.raises(DeliveryError, match="cancelled"):
        save_register(
            session=session, marks={world.participant.pk: Mark("attended")}, by=world.facilitator
        )


def test_an_unknown_mark_is_refused(world):
    with pytest.raises(DeliveryError, match="attended, absent or excused"):
        save_register(
            session=world.sessions[0],
            marks={world.participant.pk: Mark("late")},
            by=world.facilitator,
        )
