"""Session services and tasks: changes raise SEQUENCE and are emailed once, cancellations,
join links released once inside the window and only to participants, reminders, recordings."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from cpdnet.audit.models import AuditEntry
from cpdnet.programmes import services
from cpdnet.programmes.models import Session
from cpdnet.programmes.selectors import (
    is_join_link_released,
    list_participant_sessions,
    list_session_recipients,
)
from cpdnet.programmes.tasks import (
    release_join_links_task,
    send_due_recordings_task,
    send_session_reminders_task,
)
from tests.factories import SessionFactory

from .session_world import make_session_world

SECRET = "https://meet.example.org/secret-room"
HOUR = datetime.timedelta(hours=1)
MINUTE = datetime.timedelta(minutes=1)


@pytest.fixture
def world(db, settings):
    settings.JOIN_LINK_RELEASE_MINUTES = 60
    settings.SESSION_REMINDER_HOURS = 24
    return make_session_world()


@pytest.fixture(autouse=True)
def _commit(django_capture_on_commit_callbacks, monkeypatch):
    """Run each service's on-commit tasks when it returns, as a real commit would."""
    for name in ("update_session", "cancel_session"):
        service = getattr(services, name)

        def committed(*args, _service=service, **kwargs):
            with django_capture_on_commit_callbacks(execute=True):
                return _service(*args, **kwargs)

        monkeypatch.setattr(services, name, committed)


def recipients_of(outbox) -> set[str]:
    return {address for message in outbox for address in message.to}


def sent_with_link() -> list:
    return [message for message in mail.outbox if SECRET in message.body]


class TestRecipients:
    def test_participants_are_people_with_a_place_and_confirmed_registrants(self, world):
        emails = {recipient.email for recipient in list_session_recipients(world.offering.pk)}

        assert emails == world.participant_emails

    def test_one_email_address_is_listed_once(self, world):
        world.registrant.email = world.participant.email.upper()
        world.registrant.save()

        emails = [
            recipient.email.lower() for recipient in list_session_recipients(world.offering.pk)
        ]

        assert sorted(emails) == sorted({email.lower() for email in emails})

    def test_a_person_sees_sessions_of_offerings_they_take_part_in_only(self, world):
        other = SessionFactory(offering=world.other_offering)

        assert list(list_participant_sessions(world.participant)) == [world.session]
        assert list(list_participant_sessions(world.other_teacher)) == [other]
        assert list(list_participant_sessions(world.withdrawn)) == []
        assert list(list_participant_sessions(world.waitlisted)) == []

    def test_a_registrant_who_signs_in_sees_the_webinar_sessions(self, world):
        from tests.factories import UserFactory

        person = UserFactory(email="rita@school.example.org")

        assert list(list_participant_sessions(person)) == [world.session]


class TestUpdate:
    def test_a_change_of_time_raises_the_sequence_and_emails_each_participant_once(self, world):
        session = world.session
        new_start = session.starts_at + datetime.timedelta(days=1)

        updated = services.update_session(
            session=session,
            by=world.facilitator,
            starts_at=new_start,
            ends_at=new_start + 2 * HOUR,
        )

        assert updated.sequence == 1
        assert recipients_of(mail.outbox) == world.participant_emails
        assert len(mail.outbox) == len(world.participant_emails)
        assert all(message.subject.startswith("Changed:") for message in mail.outbox)
        assert sent_with_link() == []  # the link is not released yet
        entry = AuditEntry.objects.get(action="programmes.session.updated")
        assert entry.actor == world.facilitator
        assert set(entry.data["changed"]) == {"starts_at", "ends_at"}

    def test_saving_without_a_change_does_nothing(self, world):
        session = world.session

        services.update_session(
            session=session, by=world.facilitator, venue=session.venue, mode=session.mode
        )

        session.refresh_from_db()
        assert session.sequence == 0
        assert mail.outbox == []
        assert not AuditEntry.objects.filter(action="programmes.session.updated").exists()

    def test_two_changes_send_two_emails_each_and_raise_the_sequence_twice(self, world):
        services.update_session(session=world.session, by=world.hub_staff, venue="Room 1")
        services.update_session(session=world.session, by=world.hub_staff, venue="Room 2")

        world.session.refresh_from_db()
        assert world.session.sequence == 2
        assert len(mail.outbox) == 2 * len(world.participant_emails)

    def test_a_new_link_before_release_raises_the_sequence_but_emails_nobody(self, world):
        services.update_session(
            session=world.session, by=world.facilitator, join_url="https://meet.example.org/new"
        )

        world.session.refresh_from_db()
        assert world.session.sequence == 1
        assert mail.outbox == []

    def test_a_new_link_after_release_is_emailed_with_the_link(self, world):
        start = timezone.now() + 30 * MINUTE
        Session.objects.filter(pk=world.session.pk).update(starts_at=start, ends_at=start + HOUR)

        services.update_session(
            session=world.session, by=world.facilitator, join_url="https://meet.example.org/b"
        )

        assert recipients_of(mail.outbox) == world.participant_emails
        assert all("https://meet.example.org/b" in message.body for message in mail.outbox)

    def test_a_change_email_overtaken_by_a_later_change_is_not_sent(self, world):
        from cpdnet.programmes.tasks import send_session_change_emails_task

        Session.objects.filter(pk=world.session.pk).update(sequence=2, venue="Room 2")

        send_session_change_emails_task.enqueue(world.session.pk, 1, ["venue"])
        assert mail.outbox == []
        send_session_change_emails_task.enqueue(world.session.pk, 2, ["venue"])
        assert recipients_of(mail.outbox) == world.participant_emails
        assert all("Where: Room 2" in message.body for message in mail.outbox)

    def test_a_title_change_raises_the_sequence_without_an_email(self, world):
        services.update_session(session=world.session, by=world.facilitator, title="Renamed")

        world.session.refresh_from_db()
        assert world.session.sequence == 1
        assert mail.outbox == []

    def test_a_session_must_end_after_it_starts(self, world):
        with pytest.raises(ValidationError):
            services.update_session(
                session=world.session, by=world.facilitator, ends_at=world.session.starts_at
            )

        world.session.refresh_from_db()
        assert world.session.sequence == 0

    def test_moving_a_released_session_later_releases_its_link_again(self, world):
        session = world.session
        services.release_join_links(now=session.starts_at - 30 * MINUTE)
        mail.outbox.clear()
        later = session.starts_at + datetime.timedelta(days=2)

        services.update_session(
            session=session,
            by=world.facilitator,
            now=session.starts_at - 20 * MINUTE,
            starts_at=later,
            ends_at=later + HOUR,
        )
        session.refresh_from_db()
        assert session.join_link_released_at is None
        mail.outbox.clear()
        services.release_join_links(now=later - 10 * MINUTE)

        assert recipients_of(sent_with_link()) == world.participant_emails


class TestCancel:
    def test_cancelling_records_why_raises_the_sequence_and_emails_participants(self, world):
        session = services.cancel_session(
            session=world.session, by=world.hub_staff, reason="The facilitator is unwell"
        )

        assert session.is_cancelled
        assert session.cancellation_reason == "The facilitator is unwell"
        assert session.sequence == 1
        assert recipients_of(mail.outbox) == world.participant_emails
        assert all("The facilitator is unwell" in message.body for message in mail.outbox)
        assert sent_with_link() == []
        assert AuditEntry.objects.filter(
            action="programmes.session.cancelled", actor=world.hub_staff
        ).exists()

    def test_a_cancelled_session_cannot_be_cancelled_again_or_changed(self, world):
        services.cancel_session(session=world.session, by=world.hub_staff, reason="Snow")
        mail.outbox.clear()

        with pytest.raises(services.SessionError):
            services.cancel_session(session=world.session, by=world.hub_staff, reason="Snow")
        with pytest.raises(services.SessionError):
            services.update_session(session=world.session, by=world.hub_staff, venue="Hall")
        assert mail.outbox == []

    def test_a_session_that_has_taken_place_cannot_be_cancelled(self, world):
        with pytest.raises(services.SessionError):
            services.cancel_session(
                session=world.session,
                by=world.hub_staff,
                reason="Too late",
                now=world.session.ends_at,
            )

    def test_a_reason_is_required(self, world):
        with pytest.raises(services.SessionError):
            services.cancel_session(session=world.session, by=world.hub_staff, reason="  ")


class TestReleaseRule:
    @pytest.mark.parametrize(
        ("offset", "released"),
        [
            (-61, False),  # minutes from the start
            (-60, True),
            (0, True),
            (119, True),
            (120, False),  # the session has ended
        ],
    )
    def test_the_link_is_released_from_the_release_time_until_the_end(
        self, world, offset, released
    ):
        now = world.session.starts_at + datetime.timedelta(minutes=offset)

        assert is_join_link_released(world.session, now) is released

    def test_a_cancelled_session_never_releases_its_link(self, world):
        world.session.cancelled_at = timezone.now()

        assert not is_join_link_released(world.session, world.session.starts_at)

    def test_the_release_time_comes_from_settings(self, world, settings):
        settings.JOIN_LINK_RELEASE_MINUTES = 15

        assert not is_join_link_released(world.session, world.session.starts_at - 16 * MINUTE)
        assert is_join_link_released(world.session, world.session.starts_at - 15 * MINUTE)


class TestReleaseTask:
    def test_the_link_goes_to_every_participant_once_inside_the_window(self, world):
        start = world.session.starts_at

        assert services.release_join_links(now=start - 59 * MINUTE) == 1
        assert services.release_join_links(now=start - 54 * MINUTE) == 0

        assert recipients_of(sent_with_link()) == world.participant_emails
        assert len(mail.outbox) == len(world.participant_emails)
        world.session.refresh_from_db()
        assert world.session.join_link_released_at == start - 59 * MINUTE

    def test_a_session_under_way_is_released_until_it_ends(self, world):
        assert services.release_join_links(now=world.session.ends_at - MINUTE) == 1

        assert recipients_of(sent_with_link()) == world.participant_emails

    def test_nothing_is_sent_before_the_window(self, world):
        assert services.release_join_links(now=world.session.starts_at - 61 * MINUTE) == 0

        assert mail.outbox == []

    def test_nothing_is_sent_after_the_session_ended(self, world):
        assert services.release_join_links(now=world.session.ends_at) == 0

        assert mail.outbox == []

    def test_outsiders_never_get_the_link(self, world):
        services.release_join_links(now=world.session.starts_at - 30 * MINUTE)

        outsiders = {
            world.withdrawn.email,
            world.waitlisted.email,
            world.other_teacher.email,
            world.waitlisted_registrant.email,
            world.facilitator.email,
            world.hub_staff.email,
        }
        assert recipients_of(mail.outbox) & outsiders == set()

    def test_a_cancelled_session_is_never_released(self, world):
        services.cancel_session(session=world.session, by=world.hub_staff, reason="Snow")
        mail.outbox.clear()

        services.release_join_links(now=world.session.starts_at - 30 * MINUTE)

        assert mail.outbox == []
        world.session.refresh_from_db()
        assert world.session.join_link_released_at is None

    def test_a_session_without_a_link_waits_for_one(self, world):
        Session.objects.filter(pk=world.session.pk).update(join_url="")

        assert services.release_join_links(now=world.session.starts_at - 30 * MINUTE) == 0

    def test_a_run_that_stopped_half_way_is_finished_without_doubles(self, world):
        from cpdnet.notifications.sessions import send_join_link_emails

        session = world.session
        send_join_link_emails(session=session)  # sent, but the run stopped before marking
        first = len(mail.outbox)

        services.release_join_links(now=session.starts_at - 30 * MINUTE)

        assert len(mail.outbox) == first

    def test_someone_who_registers_after_the_release_gets_the_link_alone(self, world):
        from cpdnet.events.models import Registration

        now = world.session.starts_at - 30 * MINUTE
        services.release_join_links(now=now)
        mail.outbox.clear()
        late = Registration.objects.create(
            offering=world.offering,
            name="Lee Late",
            email="lee@school.example.org",
            job_role="class_teacher",
            status="confirmed",
        )

        sent = services.send_released_join_links(
            offering_id=world.offering.pk, recipient_key=f"registration:{late.pk}", now=now
        )
        again = services.send_released_join_links(
            offering_id=world.offering.pk, recipient_key=f"registration:{late.pk}", now=now
        )

        assert (sent, again) == (1, 0)
        assert recipients_of(sent_with_link()) == {"lee@school.example.org"}

    def test_a_late_joiner_before_the_window_gets_nothing_yet(self, world):
        sent = services.send_released_join_links(
            offering_id=world.offering.pk,
            recipient_key=f"person:{world.participant.pk}",
            now=world.session.starts_at - 61 * MINUTE,
        )

        assert sent == 0
        assert mail.outbox == []

    def test_the_periodic_task_releases_links_due_now(self, world):
        now = timezone.now()
        due = SessionFactory(
            offering=world.offering, starts_at=now + 10 * MINUTE, ends_at=now + 70 * MINUTE
        )

        release_join_links_task.enqueue()
        release_join_links_task.enqueue()

        assert recipients_of(sent_with_link()) == set()
        assert recipients_of(mail.outbox) == world.participant_emails
        assert len(mail.outbox) == len(world.participant_emails)
        assert all(due.join_url in message.body for message in mail.outbox)


class TestReminders:
    def test_participants_are_reminded_once_within_the_reminder_time(self, world):
        start = world.session.starts_at

        assert services.send_session_reminders(now=start - 25 * HOUR) == 0
        assert services.send_session_reminders(now=start - 23 * HOUR) == 1
        assert services.send_session_reminders(now=start - 22 * HOUR) == 0

        assert recipients_of(mail.outbox) == world.participant_emails
        assert len(mail.outbox) == len(world.participant_emails)
        assert sent_with_link() == []  # a reminder never carries the link

    def test_a_cancelled_session_gets_no_reminder(self, world):
        services.cancel_session(session=world.session, by=world.hub_staff, reason="Snow")
        mail.outbox.clear()

        services.send_session_reminders(now=world.session.starts_at - 2 * HOUR)

        assert mail.outbox == []

    def test_the_periodic_task_reminds_of_sessions_starting_soon(self, world):
        now = timezone.now()
        SessionFactory(offering=world.offering, starts_at=now + 3 * HOUR, ends_at=now + 4 * HOUR)

        send_session_reminders_task.enqueue()
        send_session_reminders_task.enqueue()

        assert recipients_of(mail.outbox) == world.participant_emails
        assert len(mail.outbox) == len(world.participant_emails)


class TestRecordings:
    def test_a_recording_added_after_the_session_is_emailed_once(self, world):
        session = world.session
        after = session.ends_at + HOUR

        services.update_session(
            session=session,
            by=world.facilitator,
            now=after,
            recording_url="https://video.example.org/recording",
        )
        services.send_due_recordings(now=after + HOUR)

        assert recipients_of(mail.outbox) == world.participant_emails
        assert len(mail.outbox) == len(world.participant_emails)
        session.refresh_from_db()
        assert session.recording_sent_at is not None
        assert sent_with_link() == []

    def test_a_recording_added_early_waits_for_the_end_of_the_session(self, world):
        session = world.session
        services.update_session(
            session=session,
            by=world.facilitator,
            now=session.starts_at,
            recording_url="https://video.example.org/recording",
        )
        assert mail.outbox == []

        assert services.send_due_recordings(now=session.ends_at - MINUTE) == 0
        assert services.send_due_recordings(now=session.ends_at) == 1

        assert recipients_of(mail.outbox) == world.participant_emails

    def test_the_periodic_task_sends_recordings_of_ended_sessions(self, world):
        now = timezone.now()
        SessionFactory(
            offering=world.offering,
            starts_at=now - 3 * HOUR,
            ends_at=now - 2 * HOUR,
            recording_url="https://video.example.org/r",
        )

        send_due_recordings_task.enqueue()
        send_due_recordings_task.enqueue()

        assert len(mail.outbox) == len(world.participant_emails)


class TestCalendarFeeds:
    def test_a_reset_replaces_the_address_and_turning_off_stops_it(self, world):
        from cpdnet.programmes.selectors import get_calendar_feed_owner

        first = services.create_calendar_feed(user=world.participant)
        second = services.create_calendar_feed(user=world.participant)

        assert get_calendar_feed_owner(first) is None
        assert get_calendar_feed_owner(second) == world.participant
        assert services.revoke_calendar_feed(user=world.participant)
        assert get_calendar_feed_owner(second) is None
        assert not services.revoke_calendar_feed(user=world.participant)

    def test_only_a_hash_of_the_token_is_stored(self, world):
        token = services.create_calendar_feed(user=world.participant)

        assert token not in world.participant.calendar_feed.token_hash
