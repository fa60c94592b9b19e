"""Session emails: UK times, the details, and the join link only in the join-link email."""

import datetime

import pytest
from django.core import mail

from cpdnet.notifications.sessions import (
    send_cancellation_emails,
    send_join_link_emails,
    send_reminder_emails,
)
from cpdnet.programmes.calendar import london_time
from cpdnet.programmes.models import Session
from cpdnet.programmes.tests.session_world import make_session_world

SECRET = "https://meet.example.org/secret-room"


@pytest.fixture
def world(db):
    world = make_session_world()
    # 16:00 UK time on the Monday after the clocks went back: 16:00 UTC.
    Session.objects.filter(pk=world.session.pk).update(
        starts_at=london_time(datetime.date(2026, 10, 26), datetime.time(16)),
        ends_at=london_time(datetime.date(2026, 10, 26), datetime.time(18)),
    )
    world.session.refresh_from_db()
    return world


def email_to(address: str):
    (message,) = [message for message in mail.outbox if message.to == [address]]
    return message


def test_the_join_link_email_gives_the_link_and_the_uk_time(world):
    send_join_link_emails(session=world.session)

    message = email_to(world.participant.email)
    assert message.subject == "Your link to join Session 1 at 16:00"
    assert SECRET in message.body
    assert "Monday 26 October 2026, 16:00 to 18:00 (UK time)" in message.body
    assert "&amp;" not in message.body  # plain text, not HTML-escaped


def test_a_registrant_is_told_how_to_see_their_sessions_online(world):
    send_join_link_emails(session=world.session)

    assert "sign in with this email address" in email_to(world.registrant.email).body
    assert "sign in with this email address" not in email_to(world.participant.email).body


def test_a_reminder_says_when_the_link_comes_and_does_not_give_it(world, settings):
    settings.JOIN_LINK_RELEASE_MINUTES = 30

    send_reminder_emails(session=world.session)

    message = email_to(world.participant.email)
    assert message.subject == "Reminder: Session 1 on Monday 26 October at 16:00"
    assert "from 15:30 on 26 October" in message.body
    assert SECRET not in message.body


def test_each_event_is_sent_once_per_person(world):
    assert send_cancellation_emails(session=world.session) == 3
    assert send_cancellation_emails(session=world.session) == 0

    assert len(mail.outbox) == 3
