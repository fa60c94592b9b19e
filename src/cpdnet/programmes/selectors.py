"""Reads of programmes and offerings, with places counted in the database."""

import datetime
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Greatest, Lower
from django.utils import timezone

from .models import (
    CalendarFeed,
    DesignState,
    LocalDesign,
    LocalDesignTransition,
    Offering,
    Programme,
    Session,
)


@dataclass(frozen=True)
class OfferingFilters:
    hub: str = ""
    subject: str = ""
    phase: str = ""
    key_stage: str = ""
    kind: str = ""
    mode: str = ""
    year: int | None = None
    open_only: bool = False
    # The catalogue leaves out offerings whose applications have closed unless asked.
    include_closed: bool = True
    hub_ids: tuple[int, ...] | None = None  # "near me": the hubs serving a school or place
    updated_since: datetime.datetime | None = None


def list_programmes() -> QuerySet[Programme]:
    return Programme.objects.filter(is_active=True).select_related("network")


def with_places(offerings: QuerySet[Offering]) -> QuerySet[Offering]:
    """Annotate `places_taken` and `places_left`, counted by a subquery per offering: places
    held by applications, held for lead participants an enrolled school named who have not
    completed their application, and for webinars confirmed registrations."""
    from cpdnet.applications.models import HOLDS_PLACE, Application, EnrolmentLead
    from cpdnet.events.models import Registration, RegistrationStatus

    taken = (
        Application.objects.filter(offering=OuterRef("pk"), state__in=HOLDS_PLACE)
        .order_by()
        .values("offering")
        .annotate(count=Count("pk"))
        .values("count")
    )
    held = (
        EnrolmentLead.objects.holding_places()
        .filter(enrolment__offering=OuterRef("pk"))
        .order_by()
        .values("enrolment__offering")
        .annotate(count=Count("pk"))
        .values("count")
    )
    registered = (
        Registration.objects.filter(offering=OuterRef("pk"), status=RegistrationStatus.CONFIRMED)
        .order_by()
        .values("offering")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return offerings.annotate(
        places_taken=Coalesce(Subquery(taken, output_field=IntegerField()), Value(0))
        + Coalesce(Subquery(held, output_field=IntegerField()), Value(0))
        + Coalesce(Subquery(registered, output_field=IntegerField()), Value(0))
    ).annotate(
        places_left=Greatest(
            Value(0), F("capacity") - F("places_taken"), output_field=IntegerField()
        )
    )


def list_offerings(
    filters: OfferingFilters, *, now: datetime.datetime | None = None
) -> QuerySet[Offering]:
    """Return offerings matching the filters, soonest first, with places counted."""
    now = now or timezone.now()
    offerings = Offering.objects.select_related("programme__network", "hub", "provider")
    if filters.hub:
        offerings = offerings.filter(hub__slug=filters.hub)
    if filters.hub_ids is not None:
        # National offerings belong to no hub and are open to schools everywhere.
        offerings = offerings.filter(Q(hub_id__in=filters.hub_ids) | Q(hub__isnull=True))
    if filters.subject:
        offerings = offerings.filter(programme__network__subject=filters.subject)
    if filters.phase:
        offerings = offerings.filter(programme__phase__in=[filters.phase, "all"])
    if filters.key_stage:
        offerings = offerings.filter(programme__key_stages__contains=filters.key_stage)
    if filters.kind:
        offerings = offerings.filter(programme__kind=filters.kind)
    if filters.mode:
        offerings = offerings.filter(mode=filters.mode)
    if filters.year is not None:
        offerings = offerings.filter(academic_year=filters.year)
    if filters.open_only:
        offerings = offerings.filter(applications_open_at__lte=now, applications_close_at__gt=now)
    elif not filters.include_closed:
        offerings = offerings.filter(applications_close_at__gt=now)
    if filters.updated_since is not None:
        offerings = offerings.filter(
            Q(updated_at__gte=filters.updated_since)
            | Q(programme__updated_at__gte=filters.updated_since)
        )
    return with_places(offerings).order_by("starts_on", "id")


def get_offering(offering_id: int) -> Offering:
    """Return one offering with places counted, or raise Offering.DoesNotExist."""
    return with_places(
        Offering.objects.select_related(
            "programme__network", "hub__lead_school", "provider", "facilitator", "residential"
        ).prefetch_related("partners")
    ).get(pk=offering_id)


def list_runnable_offerings(user) -> QuerySet[Offering]:
    """Offerings the person may run: the ones they facilitate, their hubs' (hub staff), every
    one (national staff)."""
    from cpdnet.accounts import selectors as account_selectors

    offerings = Offering.objects.select_related(
        "programme__network", "hub", "provider", "facilitator"
    )
    if not user.is_authenticated:
        return offerings.none()
    if account_selectors.is_national_staff(user):
        return offerings
    return offerings.filter(
        Q(facilitator=user)
        | Q(hub_id__in=account_selectors.list_staffed_hub_ids(user))
        | Q(provider_id__in=account_selectors.staffed_provider_ids_query(user))
    )


def access_runnable_offering(user, offering_id: int) -> Offering:
    """Return an offering the person may run, or raise Offering.DoesNotExist alike for a
    missing one and someone else's."""
    return list_runnable_offerings(user).get(pk=offering_id)


# --- sessions -------------------------------------------------------------------------------


def join_link_opens_at(session: Session) -> datetime.datetime:
    """When participants may first see a session's online meeting link."""
    return session.starts_at - datetime.timedelta(minutes=settings.JOIN_LINK_RELEASE_MINUTES)


def is_join_link_released(session: Session, now: datetime.datetime | None = None) -> bool:
    """Whether participants may see the join link now: from JOIN_LINK_RELEASE_MINUTES before
    the start until the end, never for a cancelled session. The one rule every page uses."""
    now = now or timezone.now()
    return not session.is_cancelled and join_link_opens_at(session) <= now < session.ends_at


def is_recording_available(session: Session, now: datetime.datetime | None = None) -> bool:
    """Whether participants may see the recording: once the session has ended."""
    now = now or timezone.now()
    return bool(session.recording_url) and not session.is_cancelled and session.ends_at <= now


def _participating_offering_ids(user) -> Q:
    """Offerings the person takes part in: a place on it, or a confirmed registration (a
    webinar) under their email address."""
    from cpdnet.applications.models import PARTICIPATING, Application
    from cpdnet.events.models import Registration, RegistrationStatus

    places = Application.objects.filter(applicant=user, state__in=PARTICIPATING).values(
        "offering_id"
    )
    # Lower(email) rather than iexact, so that an index on Lower("email") can serve it.
    registrations = (
        Registration.objects.annotate(email_lower=Lower("email"))
        .filter(email_lower=user.email.lower(), status=RegistrationStatus.CONFIRMED)
        .values("offering_id")
    )
    return Q(offering_id__in=places) | Q(offering_id__in=registrations)


def _with_offering(sessions: QuerySet[Session]) -> QuerySet[Session]:
    return sessions.select_related("offering__programme", "offering__hub", "offering__provider")


def list_participant_sessions(user) -> QuerySet[Session]:
    """Every session of every offering the person takes part in (cancelled ones included)."""
    if not user.is_authenticated:
        return Session.objects.none()
    return _with_offering(Session.objects.filter(_participating_offering_ids(user)))


def access_participant_session(user, session_id: int) -> Session:
    """Return a session of an offering the person takes part in, or raise
    Session.DoesNotExist alike for a missing session and someone else's."""
    return list_participant_sessions(user).get(pk=session_id)


def get_session(session_id: int) -> Session:
    """Return one session with its offering, or raise Session.DoesNotExist."""
    return _with_offering(Session.objects.all()).get(pk=session_id)


def list_offering_sessions(offering_id: int) -> QuerySet[Session]:
    """An offering's sessions, earliest first (cancelled ones included)."""
    return _with_offering(Session.objects.filter(offering_id=offering_id)).order_by(
        "starts_at", "id"
    )


def access_runnable_session(user, offering_id: int, session_id: int) -> Session:
    """Return a session of an offering the person may run, or raise Session.DoesNotExist
    alike for a missing one and someone else's."""
    offering_ids = list_runnable_offerings(user).filter(pk=offering_id).values("pk")
    return _with_offering(Session.objects.filter(offering_id__in=offering_ids)).get(pk=session_id)


@dataclass(frozen=True)
class Recipient:
    """Someone to email about an offering's sessions: a participant or a registrant."""

    key: str  # stable across changes of address: "person:<id>" or "registration:<id>"
    email: str
    name: str

    @property
    def is_registrant(self) -> bool:
        """Registered for a webinar without an account of their own (yet)."""
        return self.key.startswith("registration:")


def list_session_recipients(offering_id: int) -> Iterator[Recipient]:
    """Everyone taking part in an offering, once per email address: people with a place
    (accepted, completed, not completed) and confirmed registrants of a webinar."""
    from cpdnet.applications.selectors import list_participants
    from cpdnet.events.models import Registration, RegistrationStatus

    seen: set[str] = set()
    places = (
        list_participants(offering_id)
        .order_by("pk")
        .values_list("applicant_id", "applicant__email", "applicant__full_name")
    )
    for person_id, email, name in places.iterator(chunk_size=2000):
        if email.lower() not in seen:
            seen.add(email.lower())
            yield Recipient(f"person:{person_id}", email, name)
    registrations = (
        Registration.objects.filter(offering_id=offering_id, status=RegistrationStatus.CONFIRMED)
        .order_by("pk")
        .values_list("pk", "email", "name")
    )
    for registration_id, email, name in registrations.iterator(chunk_size=2000):
        if email.lower() not in seen:
            seen.add(email.lower())
            yield Recipient(f"registration:{registration_id}", email, name)


def list_sessions_due_join_link(now: datetime.datetime | None = None) -> QuerySet[Session]:
    """Sessions whose join link should go out now and has not: inside the release window,
    with a link, not cancelled."""
    now = now or timezone.now()
    release = datetime.timedelta(minutes=settings.JOIN_LINK_RELEASE_MINUTES)
    return _with_offering(
        Session.objects.filter(
            cancelled_at__isnull=True,
            join_link_released_at__isnull=True,
            # A session lasts less than a day (one date, two times): the lower bound keeps the
            # scan of the starts_at index to a day, not every session ever held.
            starts_at__gt=now - datetime.timedelta(days=1),
            starts_at__lte=now + release,
            ends_at__gt=now,
        ).exclude(join_url="")
    )


def list_sessions_due_reminder(now: datetime.datetime | None = None) -> QuerySet[Session]:
    """Sessions starting within SESSION_REMINDER_HOURS whose reminder has not gone out."""
    now = now or timezone.now()
    ahead = datetime.timedelta(hours=settings.SESSION_REMINDER_HOURS)
    return _with_offering(
        Session.objects.filter(
            cancelled_at__isnull=True,
            reminder_sent_at__isnull=True,
            starts_at__gt=now,
            starts_at__lte=now + ahead,
        )
    )


def list_sessions_due_recording(now: datetime.datetime | None = None) -> QuerySet[Session]:
    """Sessions that have ended with a recording link not yet sent to participants."""
    now = now or timezone.now()
    return _with_offering(
        Session.objects.filter(
            cancelled_at__isnull=True, recording_sent_at__isnull=True, ends_at__lte=now
        ).exclude(recording_url="")
    )


def hash_calendar_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def get_calendar_feed_owner(token: str):
    """Return the active person a live calendar feed token belongs to, or None."""
    feed = (
        CalendarFeed.objects.select_related("user")
        .filter(
            token_hash=hash_calendar_token(token),
            revoked_at__isnull=True,
            user__is_active=True,
        )
        .first()
    )
    return feed.user if feed else None


def get_calendar_feed(user) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(user=user).first()


# --- Local designs -------------------------------------------------------------------------


def list_visible_local_designs(user) -> QuerySet[LocalDesign]:
    """Every design for national staff; else the designs of the hubs the person staffs."""
    from cpdnet.accounts.selectors import is_national_staff, list_staffed_hub_ids

    designs = LocalDesign.objects.select_related("hub__network", "programme")
    if is_national_staff(user):
        return designs
    return designs.filter(hub_id__in=list_staffed_hub_ids(user))


def access_local_design(user, design_id: int) -> LocalDesign:
    """Return a design the person may see, or raise LocalDesign.DoesNotExist alike for a
    missing one and another hub's."""
    return list_visible_local_designs(user).get(pk=design_id)


def list_submitted_local_designs() -> QuerySet[LocalDesign]:
    """Designs waiting for national staff, the longest waiting first."""
    return (
        LocalDesign.objects.filter(state=DesignState.SUBMITTED)
        .select_related("hub__network")
        .order_by("updated_at", "id")
    )


def list_design_history(design: LocalDesign) -> QuerySet[LocalDesignTransition]:
    return design.history.select_related("by").order_by("created_at", "id")
