"""Messaging an offering's participants: who gets it, a preview before sending, one email per
recipient through the outbox, a record of what was sent, a limit per offering, and the
participant's page showing it."""

import pytest
from django.core import mail
from django.urls import reverse

from cpdnet.audit.models import AuditEntry
from cpdnet.delivery.models import Attendance, Submission
from cpdnet.delivery.services import set_gap_task
from cpdnet.notifications.messages import (
    MessageError,
    choose_audience,
    send_participant_message,
)
from cpdnet.notifications.models import MessageRecipient, OutboxEmail, ParticipantMessage
from cpdnet.notifications.outbox import deliver_owed_email
from tests.factories import ApplicationFactory, TeacherFactory


@pytest.fixture
def group(world):
    """Ada (the participant) and Bob with places; Bob missed the last session and has not
    handed in the task; Ada did both."""
    bob = ApplicationFactory(
        offering=world.offering,
        state="accepted",
        applicant=TeacherFactory(email="bob@school.example.org", full_name="Bob Brown"),
    )
    last = world.sessions[-1]
    Attendance.objects.create(application=world.participant, session=last, status="attended")
    Attendance.objects.create(application=bob, session=last, status="absent")
    task = set_gap_task(
        offering=world.offering,
        by=world.facilitator,
        title="Try a bar model",
        instructions="Use it in one lesson.",
        due_on=last.starts_at.date(),
    )
    Submission.objects.create(
        task=task, application=world.participant, text="Done", submitted_at=last.starts_at
    )
    return {"bob": bob, "task": task}


def send(world, audience, key="k1", subject="Bring a laptop", body="Next week, bring one."):
    return send_participant_message(
        offering=world.offering,
        by=world.facilitator,
        audience=audience,
        subject=subject,
        body=body,
        idempotency_key=key,
    )


@pytest.mark.parametrize(
    ("kind", "expected"),
    [("all", {"Ada Lovelace", "Bob Brown"}), ("missed_last_session", {"Bob Brown"})],
)
def test_the_audience_is_everyone_or_those_who_missed_the_last_session(
    world, group, kind, expected
):
    audience = choose_audience(offering=world.offering, kind=kind)

    names = {application.applicant.full_name for application in audience.recipients}
    assert names == expected  # the withdrawn applicant never


def test_the_audience_of_a_task_is_those_who_have_not_handed_it_in(world, group):
    audience = choose_audience(
        offering=world.offering, kind="task_not_submitted", task=group["task"]
    )

    assert list(audience.recipients) == [group["bob"]]
    assert "Try a bar model" in audience.label


def test_a_message_is_recorded_and_each_recipient_emailed_once(
    world, group, django_capture_on_commit_callbacks
):
    audience = choose_audience(offering=world.offering, kind="all")

    with django_capture_on_commit_callbacks(execute=True):
        message = send(world, audience)

    assert message.recipient_count == 2
    assert MessageRecipient.objects.filter(message=message).count() == 2
    assert sorted(m.to[0] for m in mail.outbox) == [
        "ada@school.example.org",
        "bob@school.example.org",
    ]
    assert mail.outbox[0].subject.startswith("Bring a laptop: ")
    assert "Next week, bring one." in mail.outbox[0].body
    entry = AuditEntry.objects.get(action="notifications.participant_message.sent")
    assert entry.data == {"audience": "all", "recipients": 2}
    # A retried delivery sends nothing twice
    for owed in OutboxEmail.objects.all():
        OutboxEmail.objects.filter(pk=owed.pk).update(sent_at=None, claimed_until=None)
        deliver_owed_email(outbox_id=owed.pk)
    assert len(mail.outbox) == 2


def test_pressing_send_twice_sends_one_message(world, group):
    audience = choose_audience(offering=world.offering, kind="all")

    first = send(world, audience, key="same")
    second = send(world, audience, key="same")

    assert first == second
    assert ParticipantMessage.objects.count() == 1
    assert OutboxEmail.objects.count() == 2


def test_an_offering_may_send_only_so_many_messages_a_day(world, group, settings):
    settings.PARTICIPANT_MESSAGES_PER_DAY = 2
    audience = choose_audience(offering=world.offering, kind="all")
    send(world, audience, key="a")
    send(world, audience, key="b")

    with pytest.raises(MessageError, match="2 messages in the last 24 hours"):
        send(world, audience, key="c")


def test_a_group_with_no_one_in_it_sends_nothing(world, group):
    Attendance.objects.filter(application=group["bob"]).update(status="attended")
    audience = choose_audience(offering=world.offering, kind="missed_last_session")

    with pytest.raises(MessageError, match="No one is in this group"):
        send(world, audience)


# Views


def messages_url(world):
    return reverse("backoffice:offering-messages", kwargs={"offering_id": world.offering.pk})


def test_the_runner_previews_then_sends_and_the_participant_sees_it(client, world, group):
    client.force_login(world.facilitator)
    fields = {"audience": "missed_last_session", "subject": "We missed you", "body": "Notes."}

    preview = client.post(messages_url(world), fields)
    text = preview.content.decode()
    assert "Check your message" in text and "Send to 1 person" in text
    assert "Bob Brown" in text and "Ada Lovelace" not in text
    key = preview.context["idempotency_key"]
    assert not ParticipantMessage.objects.exists()

    sent = client.post(
        messages_url(world), {**fields, "confirmed": "yes", "idempotency_key": key}, follow=True
    )
    assert "Message sent to 1 person." in sent.content.decode()
    client.force_login(group["bob"].applicant)
    page = client.get(reverse("public:my-offering", args=[world.offering.pk])).content.decode()
    assert "We missed you" in page
    client.force_login(world.participant.applicant)
    page = client.get(reverse("public:my-offering", args=[world.offering.pk])).content.decode()
    assert "We missed you" not in page


def test_a_message_without_a_task_for_the_task_audience_names_the_field(client, world, group):
    client.force_login(world.facilitator)

    response = client.post(
        messages_url(world), {"audience": "task_not_submitted", "subject": "", "body": "x"}
    )

    text = response.content.decode()
    assert response.status_code == 400
    assert "Choose the gap task they have not handed in" in text
    assert "Enter a subject" in text


def test_messaging_is_404_for_someone_who_does_not_run_the_offering(client, world, group):
    client.force_login(world.other_facilitator)

    assert client.get(messages_url(world)).status_code == 404
    assert client.post(messages_url(world), {"audience": "all"}).status_code == 404
