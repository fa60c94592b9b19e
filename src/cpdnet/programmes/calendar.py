"""iCalendar (RFC 5545) for sessions: one session's `.ics` and a person's feed.

Times are written in UTC (`...Z`), so no VTIMEZONE is needed and every calendar app shows them
in its own zone. Each session keeps one UID for life; a change raises SEQUENCE, and a
cancellation is STATUS:CANCELLED, so calendars update the event they already hold. The join
link is never written: the URL is the participant's session page, which shows the link only in
its release window.
"""

import datetime
from collections.abc import Iterable
from zoneinfo import ZoneInfo

import icalendar
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from .models import Mode, Session

PRODID = "-//cpdnet//Sessions//EN"
CONTENT_TYPE = "text/calendar; charset=utf-8"
LONDON = ZoneInfo("Europe/London")


def london_time(day: datetime.date, time: datetime.time) -> datetime.datetime | None:
    """The moment a UK clock shows this date and time, or None for a time that happens
    twice (clocks going back) or never (clocks going forward)."""
    naive = datetime.datetime.combine(day, time)
    first = naive.replace(tzinfo=LONDON, fold=0)
    second = naive.replace(tzinfo=LONDON, fold=1)
    if first.utcoffset() != second.utcoffset():
        return None
    if first.astimezone(datetime.UTC).astimezone(LONDON).replace(tzinfo=None) != naive:
        return None
    return first


def session_uid(session: Session) -> str:
    return f"{session.uid}@cpdnet"


def _utc(moment: datetime.datetime) -> datetime.datetime:
    return moment.astimezone(datetime.UTC)


def _event(session: Session, *, stamp: datetime.datetime) -> icalendar.Event:
    offering = session.offering
    event = icalendar.Event()
    event.add("uid", session_uid(session))
    event.add("dtstamp", stamp)
    event.add("dtstart", _utc(session.starts_at))
    event.add("dtend", _utc(session.ends_at))
    event.add("sequence", session.sequence)
    event.add("created", _utc(session.created_at))
    event.add("last-modified", _utc(session.updated_at))
    event.add("summary", session.title or offering.programme.title)
    event.add("location", session.venue or "Online")
    page = settings.SITE_URL + reverse("public:session", kwargs={"session_id": session.pk})
    event.add("url", page)
    description = f"{offering.programme.title} with {offering.runner_name}."
    if session.mode != Mode.FACE_TO_FACE:
        description += " The link to join is on your session page shortly before the start."
    event.add("description", f"{description}\n{page}")
    if session.is_cancelled:
        event.add("status", "CANCELLED")
    else:
        event.add("status", "CONFIRMED")
    return event


def build_calendar(
    sessions: Iterable[Session], *, name: str = "", now: datetime.datetime | None = None
) -> bytes:
    """Return an iCalendar file (METHOD:PUBLISH) with one event per session."""
    stamp = _utc(now or timezone.now()).replace(microsecond=0)
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    if name:
        # A subscribed feed: its name, and how often apps should fetch it again (RFC 7986
        # REFRESH-INTERVAL; X-PUBLISHED-TTL for Outlook).
        calendar.add("x-wr-calname", name)
        calendar.add(
            "refresh-interval", datetime.timedelta(hours=1), parameters={"VALUE": "DURATION"}
        )
        calendar.add("x-published-ttl", "PT1H")
    for session in sessions:
        calendar.add_component(_event(session, stamp=stamp))
    return calendar.to_ical()
