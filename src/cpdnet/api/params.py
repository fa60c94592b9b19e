"""Parameters shared by the API's list endpoints: pages and `updated_since`."""

import datetime
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import QuerySet
from django.utils import timezone
from ninja import Schema
from pydantic import Field

UK_TIME = ZoneInfo("Europe/London")
UPDATED_SINCE = (
    "Only rows changed at or after this ISO 8601 date and time; without a UTC offset it is "
    "read as UK time (Europe/London)."
)


class PageParams(Schema):
    page: int = Field(1, ge=1, le=10_000)
    page_size: int = Field(20, ge=1, le=100)


def aware(moment: datetime.datetime | None) -> datetime.datetime | None:
    """Read a date and time given without an offset as UK time."""
    if moment is None or timezone.is_aware(moment):
        return moment
    return timezone.make_aware(moment, UK_TIME)


def paginate(queryset: QuerySet, params: PageParams, shape: Callable[[Any], dict]) -> dict:
    """Return one page of the queryset as {count, page, page_size, items} in two queries."""
    start = (params.page - 1) * params.page_size
    return {
        "count": queryset.count(),
        "page": params.page,
        "page_size": params.page_size,
        "items": [shape(row) for row in queryset[start : start + params.page_size]],
    }
