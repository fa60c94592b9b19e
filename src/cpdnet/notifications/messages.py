"""Messages from the people running an offering to its participants: everyone with a place, or
those who have not yet done something (handed in a gap task, attended the last session).

Each recipient gets one email through the outbox (owed in the sending transaction, keyed by
recipient so a retry sends nothing twice) and sees the message on their offering page. A
second press of "Send" finds the message already sent (its idempotency key), and each
offering may send `PARTICIPANT_MESSAGES_PER_DAY` messages in any 24 hours.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone

from cpdnet.applications.models import Application
from cpdnet.applications.selectors import list_participants
from cpdnet.audit.services import record
from cpdnet.programmes.models import Offering

from .models import MessageAudience, MessageRecipient, ParticipantMessage
from .services import send_once


class MessageError(Exception):
    """A message that cannot be sent, with the reason for the person sending it."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Audience:
    """Who a message goes to: the kind, its gap task if any, and the people it names now."""

    kind: str
    label: str
    recipients: QuerySet[Application]
    task: object = None


def choose_audience(*, offering: Offering, kind: str, task=None) -> Audience:
    """The participants a message of this kind would go to now."""
    from cpdnet.delivery import selectors as delivery

    if kind == MessageAudience.ALL:
        return Audience(kind, "everyone with a place", list_participants(offering.pk))
    if kind == MessageAudience.TASK_NOT_SUBMITTED:
        if task is None or task.offering_id != offering.pk:
            raise MessageError("Choose one of this offering's gap tasks.")
        return Audience(
            kind,
            f"those who have not handed in “{task.title}”",
            delivery.list_participants_who_have_not_handed_in(task),
            task,
        )
    if kind == MessageAudience.MISSED_LAST_SESSION:
        session = delivery.get_last_session(offering)
        if session is None:
            raise MessageError("No session has taken place yet, so no one has missed one.")
        when = formats.date_format(timezone.localtime(session.starts_at), "j F Y")
        return Audience(
            kind,
            f"those who did not attend the session on {when}",
            delivery.list_participants_who_missed(session),
        )
    raise MessageError("Choose who the message is for.")


def sent_in_last_day(offering: Offering, now: datetime.datetime | None = None) -> int:
    since = (now or timezone.now()) - datetime.timedelta(days=1)
    return ParticipantMessage.objects.filter(offering=offering, created_at__gt=since).count()


def rate_refusal(offering: Offering, now: datetime.datetime | None = None) -> str:
    """Why the offering may send no more messages now, or ""."""
    limit = settings.PARTICIPANT_MESSAGES_PER_DAY
    if sent_in_last_day(offering, now) < limit:
        return ""
    return (
        f"This offering has sent {limit} messages in the last 24 hours, the most allowed. "
        "Send the next one later, or put several things in one message."
    )


def send_participant_message(
    *,
    offering: Offering,
    by,
    audience: Audience,
    subject: str,
    body: str,
    idempotency_key: str,
) -> ParticipantMessage:
    """Record the message, who it goes to, and owe each of them one email."""
    from .outbox import owe_email
    from .tasks import send_participant_message_task

    subject, body = " ".join(subject.split()), body.strip()
    if not subject or not body:
        raise MessageError("Write a subject and a message.")
    with transaction.atomic():
        offering = (
            Offering.objects.select_for_update(of=("self",))
            .select_related("hub")
            .get(pk=offering.pk)
        )
        sent = ParticipantMessage.objects.filter(
            offering=offering, idempotency_key=idempotency_key
        ).first()
        if sent is not None:
            return sent  # a second press of "Send"
        refusal = rate_refusal(offering)
        if refusal:
            raise MessageError(refusal)
        recipient_ids = list(audience.recipients.values_list("pk", flat=True))
        if not recipient_ids:
            raise MessageError("No one is in this group now, so there is no one to send it to.")
        try:
            with transaction.atomic():
                message = ParticipantMessage.objects.create(
                    offering=offering,
                    sender=by,
                    audience=audience.kind,
                    task=audience.task,
                    subject=subject[:150],
                    body=body,
                    recipient_count=len(recipient_ids),
                    idempotency_key=idempotency_key,
                )
        except IntegrityError:
            return ParticipantMessage.objects.get(
                offering=offering, idempotency_key=idempotency_key
            )
        recipients = MessageRecipient.objects.bulk_create(
            MessageRecipient(message=message, application_id=pk) for pk in recipient_ids
        )
        for recipient in MessageRecipient.objects.filter(message=message).values_list(
            "pk", flat=True
        ):
            owe_email(send_participant_message_task, recipient)
        record(
            actor=by,
            action="notifications.participant_message.sent",
            obj=message,
            hub=offering.hub,
            summary=f"Message to {len(recipients)} participants of {offering} "
            f"({audience.label}): {message.subject}",
            data={"audience": audience.kind, "recipients": len(recipients)},
        )
    return message


def render_participant_message(message: ParticipantMessage, application: Application) -> str:
    return render_to_string(
        "notifications/participant_message.txt",
        {
            "message": message,
            "application": application,
            "offering": message.offering,
            "offering_url": settings.SITE_URL
            + reverse("public:my-offering", kwargs={"offering_id": message.offering_id}),
        },
    )


def send_participant_message_email(*, recipient_id: int) -> bool:
    """Email one recipient their copy, once; return whether it was sent now."""
    recipient = MessageRecipient.objects.select_related(
        "message__offering__programme",
        "message__offering__hub",
        "message__offering__provider",
        "message__sender",
        "application__applicant",
    ).get(pk=recipient_id)
    message, application = recipient.message, recipient.application
    if not application.applicant.is_active:
        return False  # erased since: there is no one to tell
    return send_once(
        key=f"participant-message:{recipient.pk}",
        to=application.applicant.email,
        subject=f"{message.subject}: {message.offering.programme.title}",
        body=render_participant_message(message, application),
    )


def list_messages_for(application: Application) -> QuerySet[ParticipantMessage]:
    """The messages a participant was sent about their offering, newest first."""
    return ParticipantMessage.objects.filter(recipients__application=application).select_related(
        "sender"
    )


def list_offering_messages(offering: Offering) -> QuerySet[ParticipantMessage]:
    """What was sent to an offering's participants, by whom, to how many; newest first."""
    return ParticipantMessage.objects.filter(offering=offering).select_related("sender", "task")
