"""Send emails once per event: a `SentEmail` row with the event's key is written first."""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from cpdnet.applications.models import Application, ResidentialBooking, State, Transition
from cpdnet.programmes import calendar
from cpdnet.programmes.models import Offering, Session
from cpdnet.programmes.selectors import list_offering_sessions

from .models import SentEmail


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    mimetype: str


def calendar_attachment(sessions: Sequence[Session]) -> tuple[Attachment, ...]:
    """The sessions as one `.ics` file to attach, or nothing when no dates are set yet."""
    if not sessions:
        return ()
    return (Attachment("sessions.ics", calendar.build_calendar(sessions), calendar.CONTENT_TYPE),)


def list_calendar_sessions(offering: Offering) -> list[Session]:
    """An offering's sessions still going ahead, for an email's dates and its calendar file."""
    return list(
        offering.sessions.filter(cancelled_at__isnull=True)
        .select_related("offering__programme", "offering__hub")
        .order_by("starts_at", "id")
    )


APPLICANT_SUBJECTS = {
    State.AWAITING_SCHOOL_APPROVAL: "We have your application: your school needs to release you",
    State.SUBMITTED: "Your application has gone to the hub",
    State.ACCEPTED: "You have a place",
    State.WAITLISTED: "You are on the waiting list",
    State.PLACE_OFFERED: "A place has come free for you",
    State.DECLINED: "Your application was not successful",
    State.WITHDRAWN: "You have withdrawn your application",
}


REOPENED_SUBJECT = "Your completion is being checked again"
# Withdrawn by someone else: their school withdrew it, or swapped them as lead participant.
WITHDRAWN_FOR_THEM_SUBJECT = "Your application has been withdrawn"


def applicant_subject(from_state: str, to_state: str, *, by_applicant: bool = True) -> str:
    """The subject of the applicant's email for this move, or "" when it sends none."""
    if to_state == State.ACCEPTED and from_state in (State.COMPLETED, State.NOT_COMPLETED):
        return REOPENED_SUBJECT
    if to_state == State.WITHDRAWN and not by_applicant:
        return WITHDRAWN_FOR_THEM_SUBJECT
    return APPLICANT_SUBJECTS.get(to_state, "")


def one_line(text: str) -> str:
    """Text fit for an email header: a line break in a header makes the email fail to send."""
    return " ".join(text.split())


def send_once(
    *, key: str, to: str, subject: str, body: str, attachments: Sequence[Attachment] = ()
) -> bool:
    """Send an email unless one with this key was sent; return whether it was sent now."""
    # Subjects carry people's names and staff-typed titles.
    subject = one_line(subject)
    try:
        with transaction.atomic():
            SentEmail.objects.create(key=key, to=to, subject=subject[:200])
            message = EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [to])
            for attachment in attachments:
                message.attach(attachment.filename, attachment.content, attachment.mimetype)
            message.send()
    except IntegrityError:
        return False
    return True


def _application_context(transition: Transition) -> dict:
    application = transition.application
    return {
        "application": application,
        "offering": application.offering,
        "transition": transition,
        "site_url": settings.SITE_URL,
        "applications_url": settings.SITE_URL + reverse("public:my-applications"),
        "days": settings.SCHOOL_APPROVAL_DAYS,
        "sessions": list_calendar_sessions(application.offering),
    }


@dataclass(frozen=True)
class EmailPreview:
    to: str
    subject: str
    body: str


def preview_applicant_email(
    *, application: Application, to_state: str, reason: str = ""
) -> EmailPreview | None:
    """The email the applicant would get if their application moved to this state (nothing is
    saved or sent), or None when that move sends none."""
    subject = applicant_subject(application.state, to_state)
    if not subject:
        return None
    transition = Transition(
        application=application, from_state=application.state, to_state=to_state, reason=reason
    )
    return EmailPreview(
        to=application.applicant.email,
        subject=f"{subject}: {application.offering.programme.title}",
        body=render_to_string(
            "notifications/application_update.txt", _application_context(transition)
        ),
    )


def send_application_emails(*, transition: Transition) -> int:
    """Tell the applicant (and, for a new application, the school approver) what happened."""
    application = transition.application
    context = _application_context(transition)
    sent = 0
    subject = applicant_subject(
        transition.from_state,
        transition.to_state,
        by_applicant=transition.by_id == application.applicant_id,
    )
    reopened = subject == REOPENED_SUBJECT
    if subject:
        body = render_to_string("notifications/application_update.txt", context)
        sent += send_once(
            key=f"transition:{transition.pk}:applicant",
            to=application.applicant.email,
            subject=f"{subject}: {application.offering.programme.title}",
            body=body,
            # A place confirmed comes with its dates for the person's calendar.
            attachments=calendar_attachment(context["sessions"])
            if transition.to_state == State.ACCEPTED and not reopened
            else (),
        )
    if transition.to_state == State.AWAITING_SCHOOL_APPROVAL and not transition.from_state:
        from cpdnet.applications.services import approval_token

        context["approval_url"] = settings.SITE_URL + reverse(
            "public:school-approval", kwargs={"token": approval_token(application)}
        )
        context["sessions"] = list_offering_sessions(application.offering_id).filter(
            cancelled_at__isnull=True
        )
        body = render_to_string("notifications/school_approval_request.txt", context)
        sent += send_once(
            key=f"transition:{transition.pk}:approver",
            to=application.approver_email,
            subject=f"Please release {application.applicant.get_full_name()} for "
            f"{application.offering.programme.title}",
            body=body,
        )
    return sent


# A booking whose joining instructions are still unsent this long after it opened is swept up.
JOINING_INSTRUCTIONS_GRACE = datetime.timedelta(minutes=5)


def send_joining_instructions(*, booking_id: int) -> bool:
    """Email a participant their residential's joining instructions, once; return whether
    they were sent now (not if sent before, or if the place has gone)."""
    with transaction.atomic():
        booking = (
            ResidentialBooking.objects.select_for_update(of=("self",))
            .select_related(
                "application__applicant",
                "application__offering__programme",
                "application__offering__hub",
                "application__offering__provider",
                "application__offering__residential",
            )
            .get(pk=booking_id)
        )
        application = booking.application
        if booking.joining_instructions_sent_at or application.state != State.ACCEPTED:
            return False
        offering = application.offering
        body = render_to_string(
            "notifications/joining_instructions.txt",
            {
                "application": application,
                "offering": offering,
                "residential": offering.residential,
                "stay_url": settings.SITE_URL
                + reverse("public:residential-stay", kwargs={"application_id": application.pk}),
            },
        )
        sent = send_once(
            key=f"joining-instructions:{booking.pk}",
            to=application.applicant.email,
            subject=f"Joining instructions: {offering.programme.title}",
            body=body,
        )
        booking.joining_instructions_sent_at = timezone.now()
        booking.save(update_fields=["joining_instructions_sent_at", "updated_at"])
    return sent


def send_unsent_joining_instructions(*, now: datetime.datetime | None = None) -> int:
    """Send joining instructions still owed a few minutes after the place was given (the
    on-commit task was lost, say); return how many were sent."""
    cutoff = (now or timezone.now()) - JOINING_INSTRUCTIONS_GRACE
    owed = ResidentialBooking.objects.filter(
        joining_instructions_sent_at__isnull=True,
        created_at__lte=cutoff,
        application__state=State.ACCEPTED,
    ).values_list("pk", flat=True)
    return sum(send_joining_instructions(booking_id=booking_id) for booking_id in list(owed))
