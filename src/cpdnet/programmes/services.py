"""Writes for offerings and their sessions: hub staff plan offerings and open or close
applications; whoever runs an offering plans its sessions; participants' calendar feeds.

Each service owns its transaction and writes an audit entry in it. Callers check first that the
person may act for the hub (`cpdnet.backoffice.hub.selectors.access_offering`) or run the
offering (`selectors.access_runnable_offering`).
"""

import datetime
import secrets
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from cpdnet.accounts.models import Role, RoleAssignment
from cpdnet.audit.services import record
from cpdnet.hubs.models import Hub

from .models import (
    CalendarFeed,
    DesignState,
    FundingModel,
    LocalDesign,
    LocalDesignTransition,
    Offering,
    Programme,
    Provider,
    Session,
)

LONDON = ZoneInfo("Europe/London")

# What hub staff may set on an offering; the hub itself is fixed once the offering exists.
OFFERING_FIELDS = frozenset(
    {
        "programme",
        "academic_year",
        "cohort_name",
        "facilitator",
        "capacity",
        "school_capacity",
        "mode",
        "venue",
        "planned_sessions",
        "starts_on",
        "ends_on",
        "applications_open_at",
        "applications_close_at",
        "local_only",
        "requires_school_approval",
        "chair",
        "speakers",
        "open_to_organisations",
    }
)


class OfferingError(Exception):
    """A request about an offering that cannot be carried out, with a plain English reason."""

    def __init__(self, reason: str, *, code: str = "not_allowed"):
        super().__init__(reason)
        self.reason = reason
        self.code = code


# Checks other apps add (from their AppConfig.ready) on who may lead a programme: each takes
# the programme and the person and returns why they may not, or None. Accreditation registers
# the programme's facilitator requirement; programmes imports none of them.
FacilitatorCheck = Callable[[Programme, Any], str | None]
FACILITATOR_CHECKS: list[FacilitatorCheck] = []


def register_facilitator_check(check: FacilitatorCheck) -> FacilitatorCheck:
    """Add a check that every assignment of a facilitator to an offering obeys."""
    if check not in FACILITATOR_CHECKS:
        FACILITATOR_CHECKS.append(check)
    return check


def facilitator_refusal(programme: Programme, person) -> str | None:
    """The first registered check's reason this person may not lead the programme, or None."""
    for check in FACILITATOR_CHECKS:
        reason = check(programme, person)
        if reason:
            return reason
    return None


def _check_field_names(fields: dict[str, Any]) -> None:
    unknown = set(fields) - OFFERING_FIELDS
    if unknown:
        raise TypeError(f"Offerings have no settable fields {sorted(unknown)}")


def _json(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return value


def _lock(offering: Offering) -> Offering:
    # Lock the offering row only (PostgreSQL); SQLite serialises writers (see settings).
    return (
        Offering.objects.select_for_update(of=("self",))
        .select_related("programme", "hub__network")
        .get(pk=offering.pk)
    )


def _validate(offering: Offering, *, facilitator_changed: bool = True) -> None:
    """Check the model's own rules, then those that need the hub or provider: raise
    ValidationError. Who may lead the programme is checked when the facilitator or the
    programme changes (a requirement set later does not undo an assignment)."""
    offering.full_clean()
    errors: dict[str, list[str]] = {}
    network = offering.hub.network if offering.hub_id else offering.provider.network
    if network is not None and offering.programme.network_id != network.pk:
        errors["programme"] = [
            _("Choose a programme of the %(network)s network.") % {"network": network.name}
        ]
    designer = offering.programme.designed_by_hub_id
    if designer is not None and designer != offering.hub_id:
        errors["programme"] = [_("Only the hub that designed a local programme can run it.")]
    works_here = models.Q(provider_id=offering.provider_id)
    if offering.hub_id:
        works_here |= models.Q(hub_id=offering.hub_id)
    if (
        offering.facilitator_id
        and not RoleAssignment.objects.filter(works_here)
        .filter(user_id=offering.facilitator_id, role=Role.FACILITATOR)
        .exists()
    ):
        errors["facilitator"] = [
            _("Choose a facilitator who works with this hub.")
            if offering.hub_id
            else _("Choose a facilitator who works with this provider.")
        ]
    if offering.facilitator_id and facilitator_changed and "facilitator" not in errors:
        reason = facilitator_refusal(offering.programme, offering.facilitator)
        if reason:
            errors["facilitator"] = [reason]
    if errors:
        raise ValidationError(errors)


def create_offering(
    *, by, hub: Hub | None = None, provider: Provider | None = None, **fields: Any
) -> Offering:
    """Create an offering of a programme for a hub, or for a national provider (no hub: open
    to schools everywhere); raise ValidationError if it breaks a rule."""
    _check_field_names(fields)
    if (hub is None) == (provider is None):
        raise TypeError("Give a hub or a national provider")
    if provider is not None:
        fields["local_only"] = False  # a national provider has no area of its own
    with transaction.atomic():
        offering = Offering(hub=hub, provider=provider or hub.provider, **fields)
        _validate(offering)
        offering.save()
        record(
            actor=by,
            action="programmes.offering.created",
            obj=offering,
            hub=hub,
            summary=f"Created {offering}",
            data={"fields": {name: _json(value) for name, value in fields.items()}},
        )
    return offering


def update_offering(*, offering: Offering, by, **fields: Any) -> Offering:
    """Change an offering's details; record what changed, or do nothing if nothing did."""
    _check_field_names(fields)
    with transaction.atomic():
        locked = _lock(offering)
        changes: dict[str, list[Any]] = {}
        for name, value in fields.items():
            field = Offering._meta.get_field(name)
            if field.is_relation:
                old, new = getattr(locked, field.attname), (value.pk if value else None)
            else:
                old, new = getattr(locked, name), value
            if old != new:
                changes[name] = [_json(old), _json(new)]
                setattr(locked, name, value)
        if not changes:
            return locked
        _validate(locked, facilitator_changed=bool({"facilitator", "programme"} & set(changes)))
        locked.save(update_fields=[*changes, "updated_at"])
        record(
            actor=by,
            action="programmes.offering.updated",
            obj=locked,
            hub=locked.hub,
            summary=f"Changed {', '.join(sorted(changes))} of {locked}",
            data={"changed": changes},
        )
    return locked


def open_applications(*, offering: Offering, by, now: datetime.datetime | None = None) -> Offering:
    """Open applications from now until the planned closing time."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = _lock(offering)
        if locked.is_open_for_applications(now):
            raise OfferingError(_("Applications are already open."), code="already_open")
        if locked.applications_close_at <= now:
            raise OfferingError(
                _("The closing date has passed. Set a new closing date, then open applications."),
                code="closing_date_passed",
            )
        before = locked.applications_open_at
        locked.applications_open_at = now
        locked.save(update_fields=["applications_open_at", "updated_at"])
        record(
            actor=by,
            action="programmes.offering.opened",
            obj=locked,
            hub=locked.hub,
            summary=f"Opened applications for {locked}",
            data={"applications_open_at": [_json(before), _json(now)]},
        )
    return locked


def close_applications(*, offering: Offering, by, now: datetime.datetime | None = None) -> Offering:
    """Close applications now, before the planned closing time."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = _lock(offering)
        if not locked.is_open_for_applications(now):
            raise OfferingError(_("Applications are not open."), code="not_open")
        before = locked.applications_close_at
        locked.applications_close_at = now
        locked.save(update_fields=["applications_close_at", "updated_at"])
        record(
            actor=by,
            action="programmes.offering.closed",
            obj=locked,
            hub=locked.hub,
            summary=f"Closed applications for {locked}",
            data={"applications_close_at": [_json(before), _json(now)]},
        )
    return locked


# --- sessions -------------------------------------------------------------------------------

# What staff may set on a session.
SESSION_FIELDS = frozenset(
    {"title", "starts_at", "ends_at", "mode", "venue", "join_url", "recording_url"}
)
# Changes that calendars must pick up: each one raises the session's iCalendar SEQUENCE.
SEQUENCED_FIELDS = frozenset({"title", "starts_at", "ends_at", "mode", "venue", "join_url"})
# Changes participants are told about by email (the link only once they may see it).
NOTIFIED_FIELDS = frozenset({"starts_at", "ends_at", "mode", "venue"})


class SessionError(OfferingError):
    """A request about a session that cannot be carried out, with a plain English reason."""


def _check_session_field_names(fields: dict[str, Any]) -> None:
    unknown = set(fields) - SESSION_FIELDS
    if unknown:
        raise TypeError(f"Sessions have no settable fields {sorted(unknown)}")


def _lock_session(session: Session) -> Session:
    return (
        Session.objects.select_for_update(of=("self",))
        .select_related("offering__programme", "offering__hub")
        .get(pk=session.pk)
    )


def create_session(*, offering: Offering, by, **fields: Any) -> Session:
    """Add a session to an offering; raise ValidationError if it breaks a rule."""
    _check_session_field_names(fields)
    with transaction.atomic():
        session = Session(offering=offering, **fields)
        session.full_clean()
        session.save()
        record(
            actor=by,
            action="programmes.session.created",
            obj=session,
            hub=offering.hub,
            summary=f"Added a session on {_london(session.starts_at)} to {offering}",
            data={"offering": offering.pk, "fields": _session_data(fields)},
        )
    return session


def update_session(
    *, session: Session, by, now: datetime.datetime | None = None, **fields: Any
) -> Session:
    """Change a session. A change calendars must show raises its SEQUENCE; a change of time,
    place or (once released) link is emailed to participants, once per change."""
    _check_session_field_names(fields)
    now = now or timezone.now()
    with transaction.atomic():
        locked = _lock_session(session)
        if locked.is_cancelled:
            raise SessionError(_("This session was cancelled, so it cannot be changed."))
        changes = {
            name: [_json(getattr(locked, name)), _json(value)]
            for name, value in fields.items()
            if getattr(locked, name) != value
        }
        if not changes:
            return locked
        for name in changes:
            setattr(locked, name, fields[name])
        locked.full_clean()
        locked.save(update_fields=_follow_changes(locked, set(changes), now))
        record(
            actor=by,
            action="programmes.session.updated",
            obj=locked,
            hub=locked.offering.hub,
            summary=f"Changed {', '.join(sorted(changes))} of the session on "
            f"{_london(locked.starts_at)} of {locked.offering}",
            data={"changed": changes, "sequence": locked.sequence},
        )
        _owe_change_emails(locked, set(changes), now)
    return locked


def _follow_changes(session: Session, changed: set[str], now: datetime.datetime) -> list[str]:
    """Raise the SEQUENCE for calendars and, for a new time, send the reminder and (outside
    the window) the link again; return the fields to save."""
    from .selectors import is_join_link_released

    update_fields = [*changed, "updated_at"]
    if SEQUENCED_FIELDS & changed:
        session.sequence += 1
        update_fields.append("sequence")
    if {"starts_at", "ends_at"} & changed:
        session.reminder_sent_at = None
        update_fields.append("reminder_sent_at")
        if not is_join_link_released(session, now):
            session.join_link_released_at = None
            update_fields.append("join_link_released_at")
    return update_fields


def _owe_change_emails(session: Session, changed: set[str], now: datetime.datetime):
    from cpdnet.notifications.outbox import owe_email

    from .selectors import is_join_link_released, is_recording_available
    from .tasks import send_recording_emails_task, send_session_change_emails_task

    notified = sorted(NOTIFIED_FIELDS & changed)
    # Participants never saw a link before its release, so a new one is news only after it.
    if "join_url" in changed and session.join_url and is_join_link_released(session, now):
        notified.append("join_url")
    if notified and session.ends_at > now:
        owe_email(send_session_change_emails_task, session.pk, session.sequence, notified)
    if "recording_url" in changed and is_recording_available(session, now):
        owe_email(send_recording_emails_task, session.pk)


def cancel_session(
    *, session: Session, by, reason: str, now: datetime.datetime | None = None
) -> Session:
    """Cancel a session that has not ended: calendars show it cancelled, participants are
    emailed, and its link is never released."""
    from cpdnet.notifications.outbox import owe_email

    from .tasks import send_session_cancelled_emails_task

    now = now or timezone.now()
    reason = reason.strip()
    if not reason:
        raise SessionError(_("Give a reason for cancelling."), code="reason_required")
    with transaction.atomic():
        locked = _lock_session(session)
        if locked.is_cancelled:
            raise SessionError(_("This session is already cancelled."), code="already_cancelled")
        if locked.ends_at <= now:
            raise SessionError(
                _("This session has already taken place, so it cannot be cancelled."),
                code="already_taken_place",
            )
        locked.cancelled_at = now
        locked.cancellation_reason = reason[:300]
        locked.sequence += 1
        locked.save(update_fields=["cancelled_at", "cancellation_reason", "sequence", "updated_at"])
        record(
            actor=by,
            action="programmes.session.cancelled",
            obj=locked,
            hub=locked.offering.hub,
            summary=f"Cancelled the session on {_london(locked.starts_at)} of {locked.offering}",
            data={"reason": locked.cancellation_reason, "sequence": locked.sequence},
        )
        owe_email(send_session_cancelled_emails_task, locked.pk)
    return locked


def _mark_sent(session_id: int, field: str, now: datetime.datetime) -> bool:
    """Note that one of a session's once-only emails went out; False if already noted."""
    updated = Session.objects.filter(pk=session_id, **{f"{field}__isnull": True}).update(
        **{field: now}
    )
    return bool(updated)


class OnceOnly(models.TextChoices):
    """A session's emails that go out once each, when the session becomes due them."""

    JOIN_LINK = "join_link"
    REMINDER = "reminder"
    RECORDING = "recording"


def _once_only(kind: OnceOnly):
    """Which sessions are due this email now, how it is sent, and the field noting it went
    out (imported here: the notifications module reads programmes' selectors)."""
    from cpdnet.notifications import sessions as emails

    from . import selectors

    return {
        OnceOnly.JOIN_LINK: (
            selectors.list_sessions_due_join_link,
            emails.send_join_link_emails,
            "join_link_released_at",
        ),
        OnceOnly.REMINDER: (
            selectors.list_sessions_due_reminder,
            emails.send_reminder_emails,
            "reminder_sent_at",
        ),
        OnceOnly.RECORDING: (
            selectors.list_sessions_due_recording,
            emails.send_recording_emails,
            "recording_sent_at",
        ),
    }[kind]


def send_once_only(
    *, kind: OnceOnly, session_id: int, now: datetime.datetime | None = None
) -> bool:
    """Send one of a session's once-only emails if the session is still due it now (join
    link: inside its release window; reminder: within SESSION_REMINDER_HOURS of the start;
    recording: ended, with a recording); return whether it went out now."""
    due, send, field = _once_only(kind)
    now = now or timezone.now()
    session = due(now).filter(pk=session_id).first()
    if session is None:
        return False
    # Send first, then mark: a run that stops half way is finished by the next one, and each
    # email is keyed, so nobody gets two.
    send(session=session)
    return _mark_sent(session.pk, field, now)


def send_due_once_only(*, kind: OnceOnly, now: datetime.datetime | None = None) -> int:
    """Send one kind of once-only email for every session due it now, one after another;
    return how many sessions it went out for."""
    due = _once_only(kind)[0]
    now = now or timezone.now()
    session_ids = list(due(now).values_list("pk", flat=True))
    return sum(send_once_only(kind=kind, session_id=pk, now=now) for pk in session_ids)


def release_join_links(*, now: datetime.datetime | None = None) -> int:
    return send_due_once_only(kind=OnceOnly.JOIN_LINK, now=now)


def send_session_reminders(*, now: datetime.datetime | None = None) -> int:
    return send_due_once_only(kind=OnceOnly.REMINDER, now=now)


def send_due_recordings(*, now: datetime.datetime | None = None) -> int:
    return send_due_once_only(kind=OnceOnly.RECORDING, now=now)


def send_released_join_links(
    *, offering_id: int, recipient_key: str, now: datetime.datetime | None = None
) -> int:
    """Email someone who joined an offering after a session's link was released (a webinar
    registration confirmed late) the links of its sessions inside their window now; return
    how many were sent. `recipient_key` is "person:<id>" or "registration:<id>"."""
    from cpdnet.notifications.sessions import send_join_link_emails

    from . import selectors

    now = now or timezone.now()
    upcoming = selectors.list_offering_sessions(offering_id).filter(ends_at__gt=now)
    released = [
        session
        for session in upcoming
        if session.join_url and selectors.is_join_link_released(session, now)
    ]
    return sum(send_join_link_emails(session=session, only=recipient_key) for session in released)


def _london(moment: datetime.datetime) -> str:
    return f"{timezone.localtime(moment, LONDON):%d %b %Y %H:%M}"


def _session_data(fields: dict[str, Any]) -> dict[str, Any]:
    return {name: _json(value) for name, value in fields.items()}


# --- calendar feeds -------------------------------------------------------------------------


def create_calendar_feed(*, user) -> str:
    """Give a person a new private feed address, stopping any old one; return its token,
    which is shown only now."""
    from .selectors import hash_calendar_token

    token = secrets.token_urlsafe(32)
    CalendarFeed.objects.update_or_create(
        user=user,
        defaults={
            "token_hash": hash_calendar_token(token),
            "created_at": timezone.now(),
            "revoked_at": None,
        },
    )
    return token


def revoke_calendar_feed(*, user) -> bool:
    """Stop a person's feed address working; return whether there was a live one."""
    return bool(
        CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
    )


# --- Local designs: a hub proposes, national staff decide ---------------------------------

DESIGN_FIELDS = frozenset(
    {
        "kind",
        "title",
        "aims",
        "audience",
        "phase",
        "key_stages",
        "planned_sessions",
        "sessions_outline",
        "lead_name",
        "local_need",
    }
)
DECISIONS = {
    "approve": DesignState.APPROVED,
    "return": DesignState.RETURNED,
    "decline": DesignState.DECLINED,
}


class DesignError(Exception):
    """A change to a local design that cannot be made, with a reason for the person."""

    def __init__(self, reason: str, *, code: str = "not_allowed"):
        super().__init__(reason)
        self.reason = reason
        self.code = code


def _check_staffs_hub(user, hub: Hub) -> None:
    from cpdnet.accounts.selectors import is_national_staff, list_staffed_hub_ids

    if not (is_national_staff(user) or hub.pk in list_staffed_hub_ids(user)):
        raise PermissionDenied


def _move_design(
    design: LocalDesign, to_state: str, *, by, comments: str = ""
) -> LocalDesignTransition:
    if not design.can_move_to(to_state):
        raise DesignError(
            _("A design that is %(state)s cannot become %(target)s.")
            % {
                "state": design.get_state_display().lower(),
                "target": DesignState(to_state).label.lower(),
            },
            code="invalid_transition",
        )
    transition = LocalDesignTransition.objects.create(
        design=design,
        from_state=design.state,
        to_state=to_state,
        by=by if getattr(by, "pk", None) else None,
        comments=comments,
    )
    design.state = to_state
    return transition


def _fill_design(design: LocalDesign, fields: dict[str, Any]) -> None:
    unknown = set(fields) - DESIGN_FIELDS
    if unknown:
        raise TypeError(f"Not fields of a local design: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(design, name, value)
    design.full_clean(exclude=["hub", "created_by", "programme"])


def create_local_design(*, hub: Hub, by, **fields: Any) -> LocalDesign:
    """A hub drafts a local Work Group or network meeting; raise ValidationError if a field
    breaks a rule."""
    _check_staffs_hub(by, hub)
    design = LocalDesign(hub=hub, created_by=by)
    _fill_design(design, fields)
    with transaction.atomic():
        design.save()
        LocalDesignTransition.objects.create(design=design, to_state=DesignState.DRAFT, by=by)
        record(
            actor=by,
            action="programmes.local_design.drafted",
            obj=design,
            hub=hub,
            summary=f"Local design drafted: {design.title}",
        )
    return design


def update_local_design(*, design: LocalDesign, by, **fields: Any) -> LocalDesign:
    """The hub changes its design while it is a draft or returned with comments."""
    _check_staffs_hub(by, design.hub)
    with transaction.atomic():
        design = LocalDesign.objects.select_for_update().select_related("hub").get(pk=design.pk)
        if not design.is_editable:
            raise DesignError(
                _("Only a draft, or a design returned with comments, can be changed."),
                code="not_editable",
            )
        _fill_design(design, fields)
        design.save()
        record(
            actor=by,
            action="programmes.local_design.changed",
            obj=design,
            hub=design.hub,
            summary=f"Local design changed: {design.title}",
            data={"fields": sorted(fields)},
        )
    return design


def submit_local_design(*, design: LocalDesign, by) -> LocalDesign:
    """The hub sends its design (again, after a return) to national staff."""
    _check_staffs_hub(by, design.hub)
    with transaction.atomic():
        design = LocalDesign.objects.select_for_update().select_related("hub").get(pk=design.pk)
        _move_design(design, DesignState.SUBMITTED, by=by)
        design.save(update_fields=["state", "updated_at"])
        record(
            actor=by,
            action="programmes.local_design.submitted",
            obj=design,
            hub=design.hub,
            summary=f"Local design submitted: {design.title}",
        )
    return design


def decide_local_design(
    *, design: LocalDesign, by, decision: str, comments: str = ""
) -> LocalDesign:
    """National staff approve a submitted design (it becomes a local programme the hub can
    schedule), return it with comments for the hub to change, or decline it with a reason.
    The hub is emailed the decision."""
    from cpdnet.accounts.selectors import is_national_staff

    if not is_national_staff(by):
        raise PermissionDenied
    target = DECISIONS.get(decision)
    if target is None:
        raise DesignError(_("Choose approve, return or decline."), code="bad_decision")
    comments = comments.strip()
    if target != DesignState.APPROVED and not comments:
        raise DesignError(
            _("Say what the hub should change.")
            if target == DesignState.RETURNED
            else _("Say why the design is declined."),
            code="comments_required",
        )
    with transaction.atomic():
        design = (
            LocalDesign.objects.select_for_update(of=("self",))
            .select_related("hub__network")
            .get(pk=design.pk)
        )
        transition = _move_design(design, target, by=by, comments=comments)
        design.decision_comments = comments
        if target == DesignState.APPROVED:
            design.programme = _programme_from(design)
        design.save(update_fields=["state", "decision_comments", "programme", "updated_at"])
        record(
            actor=by,
            action=f"programmes.local_design.{target}",
            obj=design,
            hub=design.hub,
            summary=f"Local design {DesignState(target).label.lower()}: {design.title}",
            data={"comments": comments, "programme": design.programme_id},
        )
        _owe_design_email(transition.pk)
    return design


def _programme_from(design: LocalDesign) -> Programme:
    base = slugify(f"{design.hub.slug} {design.title}")[:80] or "local-design"
    slug, number = base, 2
    while Programme.objects.filter(slug=slug).exists():
        slug, number = f"{base}-{number}", number + 1
    return Programme.objects.create(
        network=design.hub.network,
        slug=slug,
        title=design.title,
        phase=design.phase,
        key_stages=design.key_stages,
        kind=design.kind,
        audience=design.audience,
        funding_model=FundingModel.FUNDED,
        summary=design.aims.splitlines()[0][:300] if design.aims.strip() else design.title,
        description=f"{design.aims}\n\n{design.sessions_outline}",
        designed_by_hub=design.hub,
    )


def _owe_design_email(transition_id: int) -> None:
    from cpdnet.notifications.outbox import owe_email

    from .tasks import send_local_design_decision_task

    owe_email(send_local_design_decision_task, transition_id)


def send_local_design_decision(*, transition_id: int) -> int:
    """Tell the hub (its contact address and whoever proposed the design) the decision."""
    from cpdnet.notifications.services import send_once

    transition = LocalDesignTransition.objects.select_related(
        "design__hub", "design__created_by", "design__programme"
    ).get(pk=transition_id)
    design = transition.design
    body = render_to_string(
        "programmes/emails/local_design_decision.txt",
        {
            "design": design,
            "transition": transition,
            "design_url": settings.SITE_URL
            + reverse("backoffice:local-design", kwargs={"design_id": design.pk}),
        },
    )
    subject = f"{DesignState(transition.to_state).label}: {design.title}"
    recipients = {design.hub.email}
    if design.created_by_id and design.created_by.is_active:
        recipients.add(design.created_by.email)
    return sum(
        send_once(
            key=f"local-design-transition:{transition.pk}:{address}",
            to=address,
            subject=subject,
            body=body,
        )
        for address in sorted(recipients)
        if address
    )
