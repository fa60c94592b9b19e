"""Academic years, which run from 1 September to 31 August and are named by their first
year: 2025 is September 2025 to August 2026."""

import datetime

from django.utils import timezone

EARLIEST, LATEST = 2000, 2100


def academic_year_of(day: datetime.date) -> int:
    """The academic year a date falls in."""
    return day.year if day.month >= 9 else day.year - 1


def current_academic_year(today: datetime.date | None = None) -> int:
    """The academic year under way."""
    return academic_year_of(today or timezone.localdate())


def requested_academic_year(params) -> int:
    """The year a page was asked for in `?year=`, or the current one when it is missing or
    not a plausible year (a bad link shows this year rather than an error)."""
    try:
        year = int(params.get("year", ""))
    except ValueError:
        return current_academic_year()
    return year if EARLIEST <= year <= LATEST else current_academic_year()
