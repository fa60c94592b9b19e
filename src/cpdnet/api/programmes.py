"""Public endpoints: the national programmes and the hubs' offerings of them."""

import datetime

from django.http import Http404
from django.utils import timezone
from ninja import Path, Query, Router, Schema
from pydantic import Field

from cpdnet.accounts.permissions import Access
from cpdnet.programmes import selectors as programme_selectors
from cpdnet.programmes.models import Kind, Offering, Phase, Programme

from .params import UPDATED_SINCE, PageParams, aware, paginate
from .schemas import Error

router = Router(tags=["programmes and offerings"])
router.access = Access.PUBLIC
MAX_ID = 2_147_483_647


class ProgrammeOut(Schema):
    id: int
    slug: str
    title: str
    network: str
    subject: str
    phase: str
    key_stages: list[str]
    kind: str
    audience: list[str]
    funding_model: str
    fee: str = Field(description="In pounds, exact to the penny, e.g. '150.00'")
    summary: str
    updated_at: datetime.datetime


class OfferingOut(Schema):
    id: int
    programme: str = Field(description="The programme's slug")
    programme_title: str
    network: str
    subject: str
    phase: str
    kind: str
    hub: str = Field(description="The hub's slug")
    hub_name: str
    academic_year: int = Field(description="The first calendar year: 2025 means 2025/26")
    cohort_name: str
    capacity: int
    school_capacity: int | None
    places_left: int
    mode: str
    venue: str
    planned_sessions: int
    starts_on: datetime.date
    ends_on: datetime.date
    applications_open_at: datetime.datetime
    applications_close_at: datetime.datetime
    is_open: bool = Field(description="Whether applications are open now")
    local_only: bool
    requires_school_approval: bool
    updated_at: datetime.datetime = Field(
        description="When the offering or its programme last changed"
    )


class OfferingDetailOut(OfferingOut):
    programme_summary: str
    programme_description: str


class OfferingPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[OfferingOut]


class OfferingSearch(PageParams):
    hub: str = Field("", max_length=80, description="A hub's slug")
    subject: str = Field("", max_length=40, description="e.g. maths, science")
    phase: Phase | None = Field(None, description="Programmes for all phases are included")
    kind: Kind | None = None
    open: bool | None = Field(
        None,
        description="true: only offerings open for applications now; false: only those not open",
    )
    updated_since: datetime.datetime | None = Field(None, description=UPDATED_SINCE)
    year: int | None = Field(None, ge=2000, le=2100, description="Academic year, e.g. 2025")


def _list(values: str) -> list[str]:
    return [value.strip() for value in values.split(",") if value.strip()]


def _programme(programme: Programme) -> dict:
    return {
        "id": programme.pk,
        "slug": programme.slug,
        "title": programme.title,
        "network": programme.network.slug,
        "subject": programme.network.subject,
        "phase": programme.phase,
        "key_stages": _list(programme.key_stages),
        "kind": programme.kind,
        "audience": _list(programme.audience),
        "funding_model": programme.funding_model,
        "fee": f"{programme.fee:.2f}",
        "summary": programme.summary,
        "updated_at": programme.updated_at,
    }


def _offering(offering: Offering, now: datetime.datetime) -> dict:
    programme = offering.programme
    return {
        "id": offering.pk,
        "programme": programme.slug,
        "programme_title": programme.title,
        "network": programme.network.slug,
        "subject": programme.network.subject,
        "phase": programme.phase,
        "kind": programme.kind,
        "hub": offering.hub.slug if offering.hub_id else None,
        "hub_name": offering.runner_name,
        "provider": offering.provider.slug,
        "academic_year": offering.academic_year,
        "cohort_name": offering.cohort_name,
        "capacity": offering.capacity,
        "school_capacity": offering.school_capacity,
        "places_left": offering.places_left,
        "mode": offering.mode,
        "venue": offering.venue,
        "planned_sessions": offering.planned_sessions,
        "starts_on": offering.starts_on,
        "ends_on": offering.ends_on,
        "applications_open_at": offering.applications_open_at,
        "applications_close_at": offering.applications_close_at,
        "is_open": offering.is_open_for_applications(now),
        "local_only": offering.local_only,
        "requires_school_approval": offering.requires_school_approval,
        # updated_since matches a change to either, so report the later of the two.
        "updated_at": max(offering.updated_at, programme.updated_at),
    }


@router.get("/programmes", response=list[ProgrammeOut], summary="Every active programme")
def list_programmes(request):
    return [_programme(programme) for programme in programme_selectors.list_programmes()]


@router.get("/offerings", response=OfferingPage, summary="Offerings, soonest first, with places")
def list_offerings(request, params: Query[OfferingSearch]):
    """The same offerings, in the same order and with the same places, as the public pages."""
    now = timezone.now()
    filters = programme_selectors.OfferingFilters(
        hub=params.hub,
        subject=params.subject,
        phase=params.phase.value if params.phase else "",
        kind=params.kind.value if params.kind else "",
        year=params.year,
        open_only=params.open is True,
        updated_since=aware(params.updated_since),
    )
    offerings = programme_selectors.list_offerings(filters, now=now)
    if params.open is False:
        offerings = offerings.exclude(applications_open_at__lte=now, applications_close_at__gt=now)
    return paginate(offerings, params, lambda offering: _offering(offering, now))


@router.get(
    "/offerings/{offering_id}",
    response={200: OfferingDetailOut, 404: Error},
    summary="One offering with places left",
)
def get_offering(request, offering_id: int = Path(..., ge=1, le=MAX_ID)):
    try:
        offering = programme_selectors.get_offering(offering_id)
    except Offering.DoesNotExist:
        raise Http404(f"No offering has the id {offering_id}.") from None
    return {
        **_offering(offering, timezone.now()),
        "programme_summary": offering.programme.summary,
        "programme_description": offering.programme.description,
    }
