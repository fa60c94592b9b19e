"""Emails about schools' enrolments, each sent once (keyed by its event)."""

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse

from .models import EnrolmentLead


def _lead(lead_id: int) -> EnrolmentLead:
    return EnrolmentLead.objects.select_related(
        "enrolment__school",
        "enrolment__offering__programme",
        "enrolment__offering__hub",
        "enrolment__offering__provider",
    ).get(pk=lead_id)


def send_lead_invitation(*, lead_id: int) -> bool:
    """Ask a lead participant named by their school to complete their application."""
    from cpdnet.notifications.services import send_once

    lead = _lead(lead_id)
    if lead.is_replaced:
        return False  # still owed when the school named someone else: they are told that
    offering = lead.enrolment.offering
    body = render_to_string(
        "applications/emails/lead_invitation.txt",
        {
            "lead": lead,
            "enrolment": lead.enrolment,
            "offering": offering,
            "complete_url": settings.SITE_URL
            + reverse("public:enrolment-lead", kwargs={"lead_id": lead.pk}),
        },
    )
    return send_once(
        key=f"enrolment-lead:{lead.pk}:invitation",
        to=lead.email,
        subject=f"Your school has named you a lead participant: {offering.programme.title}",
        body=body,
    )


def send_lead_replaced(*, lead_id: int) -> bool:
    """Tell a lead participant that their school named a colleague in their place."""
    from cpdnet.notifications.services import send_once

    lead = _lead(lead_id)
    offering = lead.enrolment.offering
    body = render_to_string(
        "applications/emails/lead_replaced.txt",
        {"lead": lead, "enrolment": lead.enrolment, "offering": offering},
    )
    return send_once(
        key=f"enrolment-lead:{lead.pk}:replaced",
        to=lead.email,
        subject=f"You are no longer a lead participant: {offering.programme.title}",
        body=body,
    )


SENDERS = {
    "lead_invitation": lambda object_id: send_lead_invitation(lead_id=object_id),
    "lead_replaced": lambda object_id: send_lead_replaced(lead_id=object_id),
}
