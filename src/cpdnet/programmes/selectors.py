"""Reads of programmes and offerings, with places counted in the database."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from .models import Offering, Programme


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
    hub_ids: tuple[int, ...] | None = None  # "near me": the hubs serving a school or place
    updated_since: datetime.datetime | None = None


def list_programmes() -> QuerySet[Programme]:
    return Programme.objects.filter(is_active=True).select_related("network")


def with_places(offerings: QuerySet[Offering]) -> QuerySet[Offering]:
    """Annotate `places_taken` and `places_left`, counted by a subquery per offering."""
    from cpdnet.applications.models import HOLDS_PLACE, Application

    taken = (
        Application.objects.filter(offering=OuterRef("pk"), state__in=HOLDS_PLACE)
        .order_by()
        .values("offering")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return offerings.annotate(
        places_taken=Coalesce(Subquery(taken, output_field=IntegerField()), Value(0))
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
    offerings = Offering.objects.select_related("programme__network", "hub")
    if filters.hub:
        offerings = offerings.filter(hub__slug=filters.hub)
    if filters.hub_ids is not None:
        offerings = offerings.filter(hub_id__in=filters.hub_ids)
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
    if filters.updated_since is not None:
        offerings = offerings.filter(
            Q(updated_at__gte=filters.updated_since)
            | Q(programme__updated_at__gte=filters.updated_since)
        )
    return with_places(offerings).order_by("starts_on", "id")


def get_offering(offering_id: int) -> Offering:
    """Return one offering with places counted, or raise Offering.DoesNotExist."""
    return with_places(
        Offering.objects.select_related("programme__network", "hub__lead_school", "facilitator")
    ).get(pk=offering_id)


def list_runnable_offerings(user) -> QuerySet[Offering]:
    """Offerings the person may run: the ones they facilitate, their hubs' (hub staff), every
    one (national staff)."""
    from cpdnet.accounts import selectors as account_selectors

    offerings = Offering.objects.select_related("programme__network", "hub", "facilitator")
    if not user.is_authenticated:
        return offerings.none()
    if account_selectors.is_national_staff(user):
        return offerings
    return offerings.filter(
        Q(facilitator=user) | Q(hub_id__in=account_selectors.list_staffed_hub_ids(user))
    )


def access_runnable_offering(user, offering_id: int) -> Offering:
    """Return an offering the person may run, or raise Offering.DoesNotExist alike for a
    missing one and someone else's."""
    return list_runnable_offerings(user).get(pk=offering_id)
