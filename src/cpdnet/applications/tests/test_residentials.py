"""Residentials: rooms as capacity, a stay per place, joining instructions emailed once."""

import datetime

import pytest
from django.utils import timezone

from cpdnet.applications.models import ResidentialBooking, State
from cpdnet.applications.services import (
    ApplicationError,
    decide_application,
    record_residential_needs,
)
from cpdnet.notifications.services import (
    send_joining_instructions,
    send_unsent_joining_instructions,
)
from cpdnet.programmes.models import Residential
from tests.factories import ApplicationFactory, OfferingFactory, UserFactory

pytestmark = pytest.mark.django_db

IMMEDIATE_TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
        "QUEUES": ["default"],
    }
}


def residential(*, places: int = 10, rooms: int | None = 2):
    offering = OfferingFactory(capacity=places, programme__kind="residential")
    start = timezone.now() + datetime.timedelta(days=60)
    Residential.objects.create(
        offering=offering,
        nights=2,
        rooms=rooms,
        arrival_from=start,
        departure_by=start + datetime.timedelta(days=2),
        address="National STEM Learning Centre, University of York, YO10 5DD",
        travel_information="A short bus ride from York station.",
        joining_instructions="Bring a laptop. Dinner is at 6.30pm on the first night.",
        cancellation_rules="Give up your place up to 14 days before without charge.",
        no_show_rules="If you do not arrive, the room is lost and no bursary is paid.",
    )
    return offering


def test_accepting_opens_a_stay_and_emails_the_joining_instructions_once(
    settings, mailoutbox, django_capture_on_commit_callbacks
):
    # Given a residential with rooms, and a submitted application
    settings.TASKS = IMMEDIATE_TASKS
    offering = residential()
    application = ApplicationFactory(offering=offering)

    # When the provider accepts it (and the transaction commits)
    with django_capture_on_commit_callbacks(execute=True):
        decide_application(application=application, decision="accept", by=UserFactory())

    # Then the participant has a stay needing a room and got the joining instructions
    booking = ResidentialBooking.objects.get(application=application)
    assert booking.needs_room is True
    assert booking.joining_instructions_sent_at is not None
    joining = [email for email in mailoutbox if email.subject.startswith("Joining instructions")]
    assert len(joining) == 1
    assert "Bring a laptop" in joining[0].body
    assert "14 days before" in joining[0].body

    # And sending again (a retried task, the sweep) sends nothing more
    assert send_joining_instructions(booking_id=booking.pk) is False
    assert send_unsent_joining_instructions(now=timezone.now() + datetime.timedelta(hours=1)) == 0
    assert len([e for e in mailoutbox if e.subject.startswith("Joining instructions")]) == 1


def test_the_sweep_sends_joining_instructions_whose_task_was_lost(settings, mailoutbox):
    # Given a place given while no task ran (the on-commit task was lost)
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": ["default"]}
    }
    application = ApplicationFactory(offering=residential())
    decide_application(application=application, decision="accept", by=UserFactory())
    assert mailoutbox == []

    # When the sweep runs before and after the grace period
    early = send_unsent_joining_instructions()
    late = send_unsent_joining_instructions(now=timezone.now() + datetime.timedelta(minutes=6))

    # Then it waits, then sends them once
    assert (early, late) == (0, 1)
    assert [email.subject for email in mailoutbox] == [
        f"Joining instructions: {application.offering.programme.title}"
    ]


def test_rooms_run_out_before_places():
    # Given a residential of 10 places and 2 rooms, both rooms taken
    offering = residential(places=10, rooms=2)
    for _ in range(2):
        decide_application(
            application=ApplicationFactory(offering=offering), decision="accept", by=UserFactory()
        )
    third = ApplicationFactory(offering=offering)

    # When the provider accepts a third
    with pytest.raises(ApplicationError) as refused:
        decide_application(application=third, decision="accept", by=UserFactory())

    # Then it is refused for want of rooms, and nothing changed
    assert refused.value.code == "no_rooms_left"
    third.refresh_from_db()
    assert third.state == State.SUBMITTED


def test_a_participant_who_needs_no_room_frees_one():
    # Given both rooms taken
    offering = residential(places=10, rooms=2)
    first, _second = (ApplicationFactory(offering=offering) for _ in range(2))
    for application in (first, _second):
        decide_application(application=application, decision="accept", by=UserFactory())

    # When one participant says they travel in each day, with their needs
    booking = record_residential_needs(
        application=first,
        by=first.applicant,
        needs_room=False,
        dietary_needs="Vegetarian",
        access_needs="Step-free access",
        travel_arrangements="Driving in each morning",
    )

    # Then their needs are kept and a third teacher can be accepted
    assert (booking.needs_room, booking.dietary_needs, booking.access_needs) == (
        False,
        "Vegetarian",
        "Step-free access",
    )
    third = ApplicationFactory(offering=offering)
    decide_application(application=third, decision="accept", by=UserFactory())
    third.refresh_from_db()
    assert third.state == State.ACCEPTED

    # And the first cannot take a room back now none is free
    with pytest.raises(ApplicationError) as refused:
        record_residential_needs(application=first, by=first.applicant, needs_room=True)
    assert refused.value.code == "no_rooms_left"


def test_an_offering_that_is_not_residential_has_no_stay():
    application = ApplicationFactory()

    decide_application(application=application, decision="accept", by=UserFactory())

    assert not ResidentialBooking.objects.filter(application=application).exists()


def test_the_stay_page_is_the_participants_own(client):
    # Given a participant with a place on a residential, and another teacher
    application = ApplicationFactory(offering=residential())
    decide_application(application=application, decision="accept", by=UserFactory())
    url = f"/my/stays/{application.pk}/"

    # When someone else opens the stay page, then it is not found
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404

    # When the participant saves their needs, then they are kept
    client.force_login(application.applicant)
    empty = client.post(url, {})
    assert empty.status_code == 200
    assert "Say whether you need a bedroom" in empty.content.decode()
    saved = client.post(url, {"needs_room": "no", "dietary_needs": "Halal"})
    assert saved.status_code == 302
    booking = ResidentialBooking.objects.get(application=application)
    assert (booking.needs_room, booking.dietary_needs) == (False, "Halal")
