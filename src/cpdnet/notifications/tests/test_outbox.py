"""The outbox: an email owed by a state change survives a crash between commit and enqueue,
and the periodic sweep sends it exactly once, however many workers sweep."""

import datetime
import smtplib
from unittest import mock

import pytest
from django.core.mail import EmailMessage
from django.utils import timezone

from cpdnet.accounts.services import set_password
from cpdnet.applications.services import decide_application
from cpdnet.events import services as events
from cpdnet.events.tests.factories import WebinarFactory
from cpdnet.notifications.models import OutboxEmail
from cpdnet.notifications.outbox import deliver_owed_email, send_owed_emails
from cpdnet.programmes.services import cancel_session
from cpdnet.programmes.tests.session_world import make_session_world
from tests.factories import ApplicationFactory, UserFactory

pytestmark = pytest.mark.django_db

MINUTE = datetime.timedelta(minutes=1)


def later(minutes: int) -> datetime.datetime:
    return timezone.now() + minutes * MINUTE


def crash_before_enqueue(django_capture_on_commit_callbacks, service, **arguments):
    """Run a service whose transaction commits but whose on-commit callbacks never run, as
    when the process dies just after the commit."""
    with django_capture_on_commit_callbacks(execute=False):
        return service(**arguments)


@pytest.fixture
def submitted():
    return ApplicationFactory(state="submitted", applicant__email="ada@school.example.org")


def decide(submitted):
    return {
        "service": decide_application,
        "application": submitted,
        "decision": "accept",
        "by": UserFactory(),
    }


def register_for_webinar():
    return {
        "service": events.register,
        "offering": WebinarFactory(capacity=5),
        "name": "Rita Registrant",
        "email": "rita@school.example.org",
        "job_role": "class_teacher",
    }


def cancel_a_session():
    world = make_session_world()
    return {
        "service": cancel_session,
        "session": world.session,
        "by": world.hub_staff,
        "reason": "The venue flooded",
    }


def set_a_password():
    return {
        "service": set_password,
        "user": UserFactory(email="pat@example.org"),
        "password": "a long and unusual passphrase 2026",
    }


@pytest.mark.parametrize(
    "change",
    # A newsletter confirmation is sent at once, not owed: no state changes, and the address of
    # someone who never confirms must not rest in a table (docs/privacy.md).
    [decide, register_for_webinar, cancel_a_session, set_a_password],
    ids=["application", "registration", "session", "password"],
)
def test_an_email_owed_by_any_change_is_sent_once_by_the_sweep_after_a_crash(
    change, submitted, django_capture_on_commit_callbacks, mailoutbox
):
    arguments = change(submitted) if change is decide else change()

    # Given a change that committed, but whose email task was never enqueued (a crash)
    crash_before_enqueue(django_capture_on_commit_callbacks, **arguments)
    assert mailoutbox == []
    assert OutboxEmail.objects.filter(sent_at__isnull=True).exists()

    # When the sweep runs too early, then it leaves the email to its own task
    assert send_owed_emails(now=later(1)) == 0
    assert mailoutbox == []

    # When the sweep runs a few minutes later, then the email is sent
    assert send_owed_emails(now=later(6)) >= 1
    sent = len(mailoutbox)
    assert sent >= 1
    assert not OutboxEmail.objects.filter(sent_at__isnull=True).exists()

    # And when it runs again, nothing more is sent
    assert send_owed_emails(now=later(12)) == 0
    assert len(mailoutbox) == sent


def test_an_email_sent_on_commit_is_not_sent_again_by_the_sweep(
    submitted, django_capture_on_commit_callbacks, mailoutbox
):
    # Given a decision whose email went on commit, as normal
    with django_capture_on_commit_callbacks(execute=True):
        decide_application(application=submitted, decision="accept", by=UserFactory())
    assert len(mailoutbox) == 1
    assert OutboxEmail.objects.get().sent_at is not None

    # When the sweep runs, then it sends nothing
    assert send_owed_emails(now=later(6)) == 0
    assert len(mailoutbox) == 1


def test_a_second_worker_sweeping_at_the_same_time_sends_nothing(
    submitted, django_capture_on_commit_callbacks, mailoutbox
):
    # Given an owed email left by a crash
    crash_before_enqueue(django_capture_on_commit_callbacks, **decide(submitted))
    real_send = EmailMessage.send
    second_sweep = []

    def send_while_another_worker_sweeps(*args, **kwargs):
        # The other worker sweeps while this one is sending the email
        second_sweep.append(send_owed_emails(now=later(6)))
        return real_send(*args, **kwargs)

    # When one worker sweeps and another sweeps while it sends
    with mock.patch.object(
        EmailMessage, "send", autospec=True, side_effect=send_while_another_worker_sweeps
    ):
        first_sweep = send_owed_emails(now=later(6))

    # Then the second worker found the email claimed and sent nothing: one email in all
    assert (first_sweep, second_sweep) == (1, [0])
    assert len(mailoutbox) == 1


def test_a_failing_email_is_recorded_retried_later_and_given_up_after_the_last_attempt(
    submitted, django_capture_on_commit_callbacks, mailoutbox, settings
):
    settings.OUTBOX_MAX_ATTEMPTS = 2
    crash_before_enqueue(django_capture_on_commit_callbacks, **decide(submitted))
    refused = smtplib.SMTPServerDisconnected("Connection lost")

    # When the mail server refuses the sweep's attempt
    with mock.patch.object(EmailMessage, "send", autospec=True, side_effect=refused):
        assert send_owed_emails(now=later(6)) == 0

    # Then the failure is recorded on the row, which waits before the next attempt
    owed = OutboxEmail.objects.get()
    assert (owed.attempts, owed.sent_at) == (1, None)
    assert owed.last_error == "SMTPServerDisconnected: Connection lost"
    assert owed.claimed_until is None
    assert send_owed_emails(now=later(7)) == 0

    # And the next sweep after the wait tries again; after the last attempt it gives up
    with mock.patch.object(EmailMessage, "send", autospec=True, side_effect=refused):
        assert send_owed_emails(now=later(12)) == 0
    assert OutboxEmail.objects.get().attempts == 2
    assert send_owed_emails(now=later(30)) == 0
    assert mailoutbox == []


def test_a_failed_delivery_raises_so_its_task_shows_as_failed(
    submitted, django_capture_on_commit_callbacks
):
    crash_before_enqueue(django_capture_on_commit_callbacks, **decide(submitted))
    owed = OutboxEmail.objects.get()

    with (
        mock.patch.object(
            EmailMessage, "send", autospec=True, side_effect=smtplib.SMTPDataError(554, "")
        ),
        pytest.raises(smtplib.SMTPDataError),
    ):
        deliver_owed_email(outbox_id=owed.pk)

    # And a retry (from the failed tasks page) sends it at once
    assert deliver_owed_email(outbox_id=owed.pk) is True


def test_rows_sent_more_than_a_week_ago_are_deleted_by_the_sweep(
    submitted, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        decide_application(application=submitted, decision="accept", by=UserFactory())

    send_owed_emails(now=later(6 * 24 * 60))
    assert OutboxEmail.objects.count() == 1

    send_owed_emails(now=later(8 * 24 * 60))
    assert not OutboxEmail.objects.exists()
