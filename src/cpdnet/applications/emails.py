"""Emails about schools' enrolments, each sent once (keyed by its event)."""

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse

from .models import EnrolmentLead, EnrolmentState, SchoolEnrolmentTransition


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


def _withdrawal(enrolment) -> SchoolEnrolmentTransition:
    return enrolment.history.filter(to_state=EnrolmentState.WITHDRAWN).latest("created_at", "id")


def send_lead_place_withdrawn(*, lead_id: int) -> bool:
    """Tell a lead participant still to complete their application that their school is no
    longer enrolled, so the place held for them has gone."""
    from cpdnet.notifications.services import send_once

    lead = _lead(lead_id)
    offering = lead.enrolment.offering
    body = render_to_string(
        "applications/emails/lead_place_withdrawn.txt",
        {
            "lead": lead,
            "enrolment": lead.enrolment,
            "offering": offering,
            "withdrawal": _withdrawal(lead.enrolment),
        },
    )
    return send_once(
        key=f"enrolment-lead:{lead.pk}:withdrawn",
        to=lead.email,
        subject=f"The place held for you has been withdrawn: {offering.programme.title}",
        body=body,
    )


def send_enrolment_withdrawn(*, transition_id: int) -> int:
    """Tell the school's approvers (and whoever enrolled it) that the staff running the
    offering withdrew its enrolment, and why; return how many emails were sent now."""
    from cpdnet.notifications.services import send_once

    from .selectors import list_school_approvers

    withdrawal = SchoolEnrolmentTransition.objects.select_related(
        "enrolment__school",
        "enrolment__enrolled_by",
        "enrolment__offering__programme",
        "enrolment__offering__hub",
        "enrolment__offering__provider",
    ).get(pk=transition_id)
    enrolment = withdrawal.enrolment
    offering = enrolment.offering
    recipients = set(list_school_approvers(enrolment.school).values_list("email", flat=True))
    if enrolment.enrolled_by is not None and enrolment.enrolled_by.is_active:
        recipients.add(enrolment.enrolled_by.email)
    body = render_to_string(
        "applications/emails/enrolment_withdrawn.txt",
        {
            "enrolment": enrolment,
            "offering": offering,
            "withdrawal": withdrawal,
            "contact": (offering.hub.email if offering.hub_id else offering.provider.email),
        },
    )
    return sum(
        send_once(
            key=f"school-enrolment-withdrawal:{withdrawal.pk}:{to}",
            to=to,
            subject=f"{enrolment.school.name} has been withdrawn from {offering.programme.title}",
            body=body,
        )
        for to in sorted(recipients)
    )


SENDERS = {
    "lead_invitation": lambda object_id: send_lead_invitation(lead_id=object_id),
    "lead_replaced": lambda object_id: send_lead_replaced(lead_id=object_id),
    "lead_place_withdrawn": lambda object_id: send_lead_place_withdrawn(lead_id=object_id),
    "enrolment_withdrawn": lambda object_id: send_enrolment_withdrawn(transition_id=object_id),
}
