"""Emails about sessions to everyone taking part in an offering, each once per event.

Only the join-link email, and a change email sent once the link is released, carry the online
meeting link: nothing sent before the release time does (see `is_join_link_released`).
"""

from django.conf import settings
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from cpdnet.programmes.models import Session
from cpdnet.programmes.selectors import (
    is_join_link_released,
    join_link_opens_at,
    list_session_recipients,
)

from .services import send_once

SUBJECTS = {
    "join_link": "Your link to join {title} at {start}",
    "reminder": "Reminder: {title} on {day} at {start}",
    "changed": "Changed: {title} on {day}",
    "cancelled": "Cancelled: {title} on {day}",
    "recording": "Recording of {title} on {day}",
}
CHANGE_LABELS = {
    "starts_at": "start time",
    "ends_at": "end time",
    "mode": "how it is delivered",
    "venue": "venue",
    "join_url": "online meeting link",
}


def _title(session: Session) -> str:
    return session.title or session.offering.programme.title


def _send(
    *,
    session: Session,
    kind: str,
    event: str,
    context: dict | None = None,
    only: str = "",
    recipient_context=None,
) -> int:
    """Email one event about a session to each participant (or only the one with this
    recipient key); return how many were sent now."""
    start = timezone.localtime(session.starts_at)
    subject = SUBJECTS[kind].format(
        title=_title(session), day=f"{start:%A} {start.day} {start:%B}", start=f"{start:%H:%M}"
    )
    context = {
        "session": session,
        "offering": session.offering,
        "title": _title(session),
        "session_url": settings.SITE_URL
        + reverse("public:session", kwargs={"session_id": session.pk}),
        "ics_url": settings.SITE_URL
        + reverse("public:session-ics", kwargs={"session_id": session.pk}),
        "sessions_url": settings.SITE_URL + reverse("public:my-sessions"),
        "join_link_opens_at": join_link_opens_at(session),
        **(context or {}),
    }
    sent = 0
    for recipient in list_session_recipients(session.offering_id):
        if only and recipient.key != only:
            continue
        extra = recipient_context(recipient) if recipient_context else {}
        body = render_to_string(
            f"notifications/session_{kind}.txt", {**context, **extra, "recipient": recipient}
        )
        sent += send_once(
            key=f"session:{session.pk}:{event}:{recipient.key}",
            to=recipient.email,
            subject=subject,
            body=body,
        )
    return sent


def send_join_link_emails(*, session: Session, only: str = "") -> int:
    return _send(
        session=session, kind="join_link", event=f"join-link:{session.sequence}", only=only
    )


def send_reminder_emails(*, session: Session) -> int:
    return _send(session=session, kind="reminder", event=f"reminder:{session.sequence}")


def send_change_emails(*, session: Session, changed: list[str]) -> int:
    return _send(
        session=session,
        kind="changed",
        event=f"changed:{session.sequence}",
        context={
            "changed": [CHANGE_LABELS[name] for name in changed if name in CHANGE_LABELS],
            "join_link_released": is_join_link_released(session),
        },
    )


def send_cancellation_emails(*, session: Session) -> int:
    return _send(session=session, kind="cancelled", event="cancelled")


def send_recording_emails(*, session: Session) -> int:
    """The recording, and the slides the runners shared: a registrant without an account finds
    them through their registration's link, a participant on their offering's page."""
    from cpdnet.delivery.models import Resource
    from cpdnet.events.services import manage_url_for_id

    slides = [
        resource.content.title
        for resource in Resource.objects.filter(offering_id=session.offering_id)
        .filter(Q(session=session) | Q(session__isnull=True))
        .select_related("material")
    ]
    offering_url = settings.SITE_URL + reverse(
        "public:my-offering", kwargs={"offering_id": session.offering_id}
    )

    def slides_url(recipient) -> dict:
        if not slides:
            return {}
        if recipient.is_registrant:
            return {"slides_url": manage_url_for_id(int(recipient.key.split(":")[1]))}
        return {"slides_url": offering_url}

    return _send(
        session=session,
        kind="recording",
        event="recording",
        context={"slides": slides},
        recipient_context=slides_url,
    )
