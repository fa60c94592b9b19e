"""Applying to an accreditation programme (PD Lead): evidence of the PD the applicant already
leads beyond their own school, the information sheet read first, and the hub lead's
endorsement that national staff need before they give a place.

Applications stay the applications app's: this module adds what accreditation programmes ask
on top, and registers the endorsement as an acceptance check (see `apps.py`), so that no route
to a place (a decision, the waiting list, a swap) skips it.
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tasks import task

from cpdnet.accounts.models import Role, RoleAssignment, User
from cpdnet.applications.models import Application, State
from cpdnet.applications.services import ApplicationError, submit_application
from cpdnet.audit.services import record
from cpdnet.delivery.selectors import information_sheet
from cpdnet.hubs.models import Hub
from cpdnet.hubs.selectors import hub_expression, resolve_hubs_for_schools
from cpdnet.notifications.outbox import owe_email
from cpdnet.notifications.services import send_once
from cpdnet.programmes.models import Kind, Offering

from .models import Endorsement, EndorsementDecision, PDLeadershipEvidence
from .rules import PD_ROLES

PD_ROLE_LABELS = dict(PD_ROLES)
# Where an application may be when the hub lead endorses it: alongside the school's release,
# or after it, until national staff decide.
ENDORSABLE = (State.AWAITING_SCHOOL_APPROVAL, State.SUBMITTED, State.WAITLISTED)
TEXT_LIMIT = 2000
# Where an application to an accreditation programme is while it waits. The generic words
# ("Submitted: waiting for the hub") would mislead: the hub lead endorses, national staff select.
WAITING_FOR_ENDORSEMENT = {
    State.AWAITING_SCHOOL_APPROVAL: gettext_lazy(
        "Waiting for the school's release and %(endorsement)s"
    ),
    State.SUBMITTED: gettext_lazy("Waiting for %(endorsement)s"),
    State.WAITLISTED: gettext_lazy("On the waiting list: waiting for %(endorsement)s"),
}
ENDORSED = {
    State.AWAITING_SCHOOL_APPROVAL: gettext_lazy("Endorsed: waiting for the school's release"),
    State.SUBMITTED: gettext_lazy("Endorsed: waiting for national selection"),
    State.WAITLISTED: gettext_lazy("Endorsed: on the waiting list"),
}
# What "submitted" meant, in an application's history.
SUBMITTED_FOR_SELECTION = gettext_lazy(
    "Submitted: for the hub lead's endorsement and national selection"
)
# Whose endorsement it waits for, in the words of the person reading.
ENDORSEMENT_FOR_READER = {
    "applicant": gettext_lazy("your hub lead's endorsement"),
    "hub_lead": gettext_lazy("your endorsement"),
    "staff": gettext_lazy("the hub lead's endorsement"),
}


class AccreditationApplicationError(ApplicationError):
    """A request about an accreditation application that cannot be carried out, with why."""


def is_accreditation_programme(programme) -> bool:
    return programme.kind == Kind.ACCREDITATION


def pd_role_labels(evidence: PDLeadershipEvidence) -> list[str]:
    """The applicant's PD roles in words."""
    return [
        str(PD_ROLE_LABELS.get(key, key)) for key in evidence.pd_roles.split(",") if key.strip()
    ]


def _clean_evidence(*, pd_roles, pd_led: str, led_for: str) -> tuple[str, str, str]:
    roles = [role for role in dict.fromkeys(pd_roles) if role]
    unknown = set(roles) - set(PD_ROLE_LABELS)
    if not roles or unknown:
        raise AccreditationApplicationError(
            _("Choose the professional development roles you hold now."), code="pd_roles"
        )
    pd_led, led_for = pd_led.strip(), led_for.strip()
    if not pd_led or not led_for:
        raise AccreditationApplicationError(
            _("Say what professional development you lead and who it is for."), code="pd_led"
        )
    if len(pd_led) > TEXT_LIMIT or len(led_for) > TEXT_LIMIT:
        raise AccreditationApplicationError(
            _("Write no more than 2,000 characters in each answer."), code="too_long"
        )
    return ",".join(roles), pd_led, led_for


def record_pd_leadership(
    application: Application, *, pd_roles, pd_led: str, led_for: str, beyond_own_school: bool
) -> PDLeadershipEvidence:
    """Keep (or replace) what the applicant says of the PD they lead now."""
    roles, pd_led, led_for = _clean_evidence(pd_roles=pd_roles, pd_led=pd_led, led_for=led_for)
    evidence, _created = PDLeadershipEvidence.objects.update_or_create(
        application=application,
        defaults={
            "pd_roles": roles,
            "pd_led": pd_led,
            "led_for": led_for,
            "beyond_own_school": bool(beyond_own_school),
        },
    )
    return evidence


def submit_accreditation_application(
    *,
    offering: Offering,
    applicant: User,
    school,
    job_role: str,
    approver_email: str,
    pd_roles,
    pd_led: str,
    led_for: str,
    beyond_own_school: bool,
    information_sheet_acknowledged: bool,
    statement: str = "",
    full_name: str | None = None,
    now: datetime.datetime | None = None,
) -> Application:
    """Apply for a place on an accreditation programme: the information sheet read (when the
    programme has one), the PD leadership evidence kept with the application, and the
    eligibility rule on leading PD beyond one's own school checked with the answer."""
    if not is_accreditation_programme(offering.programme):
        raise AccreditationApplicationError(
            _("This offering is not an accreditation programme."), code="not_accreditation"
        )
    _clean_evidence(pd_roles=pd_roles, pd_led=pd_led, led_for=led_for)
    sheet = information_sheet(offering.programme)
    if sheet is not None and not information_sheet_acknowledged:
        raise AccreditationApplicationError(
            _("Confirm that you have read the programme's information sheet."),
            code="information_sheet",
        )
    acknowledged_at = (now or timezone.now()) if sheet is not None else None
    with transaction.atomic():
        application = submit_application(
            offering=offering,
            applicant=applicant,
            school=school,
            job_role=job_role,
            approver_email=approver_email,
            statement=statement,
            full_name=full_name,
            now=now,
            leads_pd_beyond_own_school=bool(beyond_own_school),
            information_sheet_acknowledged_at=acknowledged_at,
        )
        record_pd_leadership(
            application,
            pd_roles=pd_roles,
            pd_led=pd_led,
            led_for=led_for,
            beyond_own_school=beyond_own_school,
        )
    return application


# --- The hub lead's endorsement -------------------------------------------------------------


def application_status(application: Application, *, reader: str = "applicant") -> str:
    """Where an application is, in words for `reader` (a key of `ENDORSEMENT_FOR_READER`): on an
    accreditation programme, whose step it waits for; otherwise its state's own label. Reads
    `application.endorsement`: select it with the application on lists."""
    if (
        not is_accreditation_programme(application.offering.programme)
        or application.state not in ENDORSABLE
    ):
        return str(application.get_state_display())
    endorsement = getattr(application, "endorsement", None)
    if endorsement is None:
        return WAITING_FOR_ENDORSEMENT[application.state] % {
            "endorsement": ENDORSEMENT_FOR_READER[reader]
        }
    if endorsement.decision == EndorsementDecision.NOT_ENDORSED:
        return _("Not endorsed")
    return str(ENDORSED[application.state])


def state_words(state: str, programme) -> str:
    """A state's label in an application's history: on an accreditation programme, submitted
    means it went to the hub lead to endorse and national staff to select, not to the hub."""
    if state == State.SUBMITTED and is_accreditation_programme(programme):
        return str(SUBMITTED_FOR_SELECTION)
    return str(State(state).label)


def endorsing_hub(application: Application) -> Hub | None:
    """The applicant's hub: the one serving their school in the programme's network, else the
    hub running the offering (None for a national offering to a school no hub serves)."""
    offering = application.offering
    hubs = resolve_hubs_for_schools([application.school])[application.school_id]
    return hubs.get(offering.programme.network_id) or offering.hub


def can_endorse(user: User, application: Application) -> bool:
    """Hub staff of the applicant's hub (national staff select; they do not endorse)."""
    hub = endorsing_hub(application)
    return hub is not None and (
        RoleAssignment.objects.filter(user=user, role=Role.HUB_STAFF, hub=hub).exists()
    )


def endorse(application: Application, *, endorsed: bool, reason: str, by: User) -> Endorsement:
    """The hub lead endorses an application to an accreditation programme, or does not (with a
    reason); the applicant is emailed. Once given, an endorsement is not changed here."""
    reason = reason.strip()
    if not endorsed and not reason:
        raise AccreditationApplicationError(
            _("Say why you do not endorse this application: the applicant will see it."),
            code="reason_required",
        )
    with transaction.atomic():
        application = (
            Application.objects.select_for_update(of=("self",))
            .select_related("offering__programme", "offering__hub", "school", "applicant")
            .get(pk=application.pk)
        )
        if not is_accreditation_programme(application.offering.programme):
            raise AccreditationApplicationError(
                _("Only applications to accreditation programmes are endorsed."),
                code="not_accreditation",
            )
        hub = endorsing_hub(application)
        if hub is None or not can_endorse(by, application):
            raise AccreditationApplicationError(
                _("Only staff of the applicant's hub can endorse this application."),
                code="not_their_hub",
            )
        if Endorsement.objects.filter(application=application).exists():
            raise AccreditationApplicationError(
                _("The hub has already given its endorsement decision."),
                code="already_decided",
            )
        if application.state not in ENDORSABLE:
            raise AccreditationApplicationError(
                _("An application that is %(state)s can no longer be endorsed.")
                % {"state": application.get_state_display().lower()},
                code="not_endorsable",
            )
        decision = EndorsementDecision.ENDORSED if endorsed else EndorsementDecision.NOT_ENDORSED
        endorsement = Endorsement.objects.create(
            application=application, hub=hub, decision=decision, reason=reason, decided_by=by
        )
        record(
            actor=by,
            action=f"accreditation.endorsement.{decision}",
            obj=endorsement,
            hub=hub,
            summary=f"{EndorsementDecision(decision).label}: {application.applicant.email} for "
            f"{application.offering}",
            data={"application": application.pk, "reason": reason},
        )
        owe_email(send_endorsement_email_task, endorsement.pk)
    return endorsement


def send_endorsement_email(*, endorsement_id: int) -> bool:
    """Tell the applicant the hub lead's decision (once: the email is keyed)."""
    endorsement = Endorsement.objects.select_related(
        "application__applicant", "application__offering__programme", "hub"
    ).get(pk=endorsement_id)
    application = endorsement.application
    endorsed = endorsement.decision == EndorsementDecision.ENDORSED
    subject = _("Your hub endorsed your application") if endorsed else _("Hub endorsement")
    body = render_to_string(
        "accreditation/endorsement_decided.txt",
        {
            "application": application,
            "endorsement": endorsement,
            "endorsed": endorsed,
            "applications_url": settings.SITE_URL + reverse("public:my-applications"),
        },
    )
    return send_once(
        key=f"endorsement:{endorsement.pk}",
        to=application.applicant.email,
        subject=f"{subject}: {application.offering.programme.title}",
        body=body,
    )


@task()
def send_endorsement_email_task(endorsement_id: int) -> None:
    send_endorsement_email(endorsement_id=endorsement_id)


def pending_endorsements(hub: Hub) -> QuerySet[Application]:
    """Applications to accreditation programmes waiting for this hub's endorsement: from
    schools it serves (or, for a school no hub serves, to its own offerings), oldest first."""
    return (
        Application.objects.filter(
            offering__programme__kind=Kind.ACCREDITATION,
            offering__programme__network_id=hub.network_id,
            state__in=ENDORSABLE,
            endorsement__isnull=True,
        )
        .annotate(school_hub=hub_expression(hub.network, "school__"))
        .filter(Q(school_hub=hub.pk) | Q(school_hub__isnull=True, offering__hub=hub))
        .select_related(
            "applicant", "school", "offering__programme", "pd_leadership", "endorsement"
        )
        .order_by("submitted_at", "pk")
    )


def access_pending_endorsement(user: User, application_id: int) -> Application | None:
    """One application waiting for the endorsement of a hub the person staffs, or None (the
    view answers 404 alike for missing and others')."""
    hub_ids = RoleAssignment.objects.filter(user=user, role=Role.HUB_STAFF).values_list(
        "hub_id", flat=True
    )
    for hub in Hub.objects.filter(pk__in=hub_ids).select_related("network"):
        application = pending_endorsements(hub).filter(pk=application_id).first()
        if application is not None:
            return application
    return None


def endorsement_refusal(application: Application) -> str | None:
    """Acceptance check: a place on an accreditation programme needs the hub's endorsement."""
    programme = application.offering.programme
    if not is_accreditation_programme(programme):
        return None
    endorsement = Endorsement.objects.filter(application_id=application.pk).first()
    if endorsement is None:
        return _(
            "The applicant's hub lead has not endorsed this application yet. Places on "
            "accreditation programmes need the hub's endorsement as well as the school's release."
        )
    if endorsement.decision != EndorsementDecision.ENDORSED:
        return _("The applicant's hub lead did not endorse this application: %(reason)s") % {
            "reason": endorsement.reason
        }
    return None
