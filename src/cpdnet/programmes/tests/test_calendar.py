"""iCalendar output: parses with `icalendar`, holds the required properties, gets UTC right
across the October clock change, and never holds a join link."""

import datetime
from zoneinfo import ZoneInfo

import icalendar
import pytest

from cpdnet.programmes.calendar import build_calendar, london_time
from tests.factories import SessionFactory

from .session_world import make_session_world

LONDON = ZoneInfo("Europe/London")
UTC = datetime.UTC
REQUIRED = ("UID", "DTSTAMP", "DTSTART", "DTEND", "SEQUENCE", "SUMMARY", "LOCATION", "URL")


@pytest.fixture
def world(db):
    return make_session_world()


def parse(content: bytes) -> tuple[icalendar.Calendar, list[icalendar.Event]]:
    calendar = icalendar.Calendar.from_ical(content)
    return calendar, list(calendar.walk("VEVENT"))


def at_london(day: datetime.date, hour: int) -> datetime.datetime:
    return london_time(day, datetime.time(hour))


def test_a_calendar_holds_the_required_properties(world):
    calendar, events = parse(build_calendar([world.session]))

    assert calendar["VERSION"] == "2.0"
    assert calendar["PRODID"] == "-//cpdnet//Sessions//EN"
    assert calendar["METHOD"] == "PUBLISH"
    (event,) = events
    assert all(name in event for name in REQUIRED)
    assert event["UID"] == f"{world.session.uid}@cpdnet"
    assert event["SUMMARY"] == "Session 1"
    assert event["LOCATION"] == "Online"
    assert event["URL"].endswith(f"/my/sessions/{world.session.pk}/")
    assert event["STATUS"] == "CONFIRMED"


def test_times_are_written_in_utc(world):
    content = build_calendar([world.session])

    start = world.session.starts_at.astimezone(UTC)
    assert f"DTSTART:{start:%Y%m%dT%H%M%S}Z".encode() in content


def test_a_session_after_the_october_clock_change_is_at_the_same_hour_in_utc(world):
    # BST ended at 02:00 on Sunday 25 October 2026.
    session = SessionFactory(
        offering=world.offering,
        starts_at=at_london(datetime.date(2026, 10, 26), 16),
        ends_at=at_london(datetime.date(2026, 10, 26), 18),
    )

    _calendar, (event,) = parse(build_calendar([session]))

    assert event.decoded("DTSTART") == datetime.datetime(2026, 10, 26, 16, 0, tzinfo=UTC)
    assert b"DTSTART:20261026T160000Z" in build_calendar([session])


def test_a_session_before_the_october_clock_change_is_an_hour_earlier_in_utc(world):
    session = SessionFactory(
        offering=world.offering,
        starts_at=at_london(datetime.date(2026, 10, 23), 16),
        ends_at=at_london(datetime.date(2026, 10, 23), 18),
    )

    _calendar, (event,) = parse(build_calendar([session]))

    assert event.decoded("DTSTART") == datetime.datetime(2026, 10, 23, 15, 0, tzinfo=UTC)
    assert event.decoded("DTEND") == datetime.datetime(2026, 10, 23, 17, 0, tzinfo=UTC)


def test_a_changed_session_keeps_its_uid_and_carries_its_sequence(world):
    _calendar, (before,) = parse(build_calendar([world.session]))
    world.session.sequence = 3
    world.session.venue = "Room 4"

    _calendar, (after,) = parse(build_calendar([world.session]))

    assert after["UID"] == before["UID"]
    assert after.decoded("SEQUENCE") == 3
    assert after["LOCATION"] == "Room 4"


def test_a_cancelled_session_is_marked_cancelled(world):
    from django.utils import timezone

    world.session.cancelled_at = timezone.now()
    world.session.cancellation_reason = "Private reason"

    content = build_calendar([world.session])
    _calendar, (event,) = parse(content)

    assert event["STATUS"] == "CANCELLED"
    assert b"Private reason" not in content


def test_the_join_link_is_never_in_the_calendar(world):
    content = build_calendar([world.session])

    assert world.session.join_url.encode() not in content
    assert b"secret-room" not in content.replace(b"\r\n ", b"")


@pytest.mark.parametrize(
    ("day", "hour"),
    [
        (datetime.date(2026, 10, 25), 1),  # happens twice: clocks go back at 02:00 BST
        (datetime.date(2026, 3, 29), 1),  # never happens: clocks go forward at 01:00 GMT
    ],
)
def test_a_time_the_clock_change_makes_unclear_is_refused(day, hour):
    assert london_time(day, datetime.time(hour, 30)) is None


def test_an_ordinary_time_is_read_as_uk_time():
    moment = london_time(datetime.date(2026, 7, 1), datetime.time(9, 0))

    assert moment.astimezone(UTC) == datetime.datetime(2026, 7, 1, 8, 0, tzinfo=UTC)
