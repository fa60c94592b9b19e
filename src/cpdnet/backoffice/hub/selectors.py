"""Reads for the hub back office, each scoped to the hubs the person staffs and the national
providers (centre, network, partners) whose staff they are.

National staff see every hub and provider. `access_*` helpers answer 404 alike for a missing
object and one of another hub or provider, so that people cannot learn what others hold.
"""

from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import Count, F, IntegerField, Q, QuerySet, Value
from django.db.models.functions import Greatest
from django.http import Http404

from cpdnet.accounts.models import JobRole, Role, User
from cpdnet.accounts.selectors import (
    is_national_staff,
    list_staffed_hub_ids,
    staffed_provider_ids_query,
)
from cpdnet.applications.models import (
    HOLDS_PLACE,
    PARTICIPATING,
    WAITLIST_ORDER,
    Application,
    State,
)
from cpdnet.hubs.models import Hub
from cpdnet.programmes.models import Offering, Provider, ProviderKind


def visible_hub_ids(user: User) -> list[int] | None:
    """Return the hubs a person may see in the hub back office; None means every hub."""
    if is_national_staff(user):
        return None
    return list_staffed_hub_ids(user)


def _in_visible_hubs(queryset: QuerySet, user: User, hub_path: str) -> QuerySet:
    hub_ids = visible_hub_ids(user)
    if hub_ids is None:
        return queryset
    return queryset.filter(**{f"{hub_path}__in": hub_ids})


def _in_visible_offerings(queryset: QuerySet, user: User, offering_path: str = "") -> QuerySet:
    """Keep rows of offerings run by the person's hubs or provided by their providers."""
    if is_national_staff(user):
        return queryset
    prefix = f"{offering_path}__" if offering_path else ""
    return queryset.filter(
        Q(**{f"{prefix}hub_id__in": list_staffed_hub_ids(user)})
        | Q(**{f"{prefix}provider_id__in": staffed_provider_ids_query(user)})
    )


def list_visible_providers(user: User) -> QuerySet[Provider]:
    """National providers (not hubs) whose offerings the person may manage."""
    providers = Provider.objects.exclude(kind=ProviderKind.HUB).select_related("network")
    if is_national_staff(user):
        return providers.order_by("name")
    return providers.filter(pk__in=staffed_provider_ids_query(user)).order_by("name")


def access_provider(user: User, slug: str) -> Provider:
    """Return a national provider the person may manage, or raise Http404."""
    provider = list_visible_providers(user).filter(slug=slug).first()
    if provider is None:
        raise Http404("No such provider")
    return provider


def list_visible_hubs(user: User) -> QuerySet[Hub]:
    return _in_visible_hubs(
        Hub.objects.select_related("network").order_by("network__display_order", "name"),
        user,
        "pk",
    )


def access_hub(user: User, slug: str) -> Hub:
    """Return a hub the person may see, or raise Http404."""
    hub = list_visible_hubs(user).filter(slug=slug).first()
    if hub is None:
        raise Http404("No such hub")
    return hub


def access_offering(user: User, offering_id: int) -> Offering:
    """Return an offering of one of the person's hubs, or raise Http404."""
    offerings = Offering.objects.select_related(
        "programme__network", "hub__network", "provider", "facilitator"
    )
    offering = _in_visible_offerings(offerings, user).filter(pk=offering_id).first()
    if offering is None:
        raise Http404("No such offering")
    return offering


def access_application(user: User, application_id: int) -> Application:
    """Return an application to one of the person's hubs, or raise Http404."""
    applications = Application.objects.select_related(
        "applicant", "school", "offering__programme", "offering__hub", "offering__provider"
    )
    application = (
        _in_visible_offerings(applications, user, "offering").filter(pk=application_id).first()
    )
    if application is None:
        raise Http404("No such application")
    return application


def _state_counts(prefix: str = "") -> dict[str, Count]:
    return {
        f"count_{state}": Count(f"{prefix}pk", filter=Q(**{f"{prefix}state": state}))
        for state in State.values
    }


def list_hub_offerings(
    *, hub_ids: list[int], year: int, provider_ids: list[int] = ()
) -> QuerySet[Offering]:
    """Return the hubs' and providers' offerings in a year, each with counts by state and
    places left."""
    taken = Count("applications", filter=Q(applications__state__in=HOLDS_PLACE))
    return (
        Offering.objects.filter(
            Q(hub_id__in=hub_ids) | Q(provider_id__in=provider_ids), academic_year=year
        )
        .select_related("programme", "hub", "provider")
        .annotate(**_state_counts("applications__"), places_taken=taken)
        .annotate(
            places_left=Greatest(
                Value(0), F("capacity") - F("places_taken"), output_field=IntegerField()
            )
        )
        .order_by("hub__name", "starts_on", "id")
    )


def count_applications_by_state(offering: Offering) -> dict[str, int]:
    """Return {state: number of applications} for one offering, every state included."""
    counts = offering.applications.order_by().aggregate(**_state_counts())
    return {state: counts[f"count_{state}"] for state in State.values}


@dataclass(frozen=True)
class ApplicationFilters:
    state: str = ""
    school: str = ""
    email: str = ""


def list_offering_applications(
    offering: Offering, filters: ApplicationFilters
) -> QuerySet[Application]:
    """Return an offering's applications matching the filters, newest first."""
    applications = offering.applications.select_related("applicant", "school")
    if filters.state:
        applications = applications.filter(state=filters.state)
    if filters.school:
        applications = applications.filter(school__name__icontains=filters.school)
    if filters.email:
        applications = applications.filter(applicant__email__icontains=filters.email)
    return applications.order_by("-submitted_at", "-id")


def list_waiting_list(offering: Offering) -> QuerySet[Application]:
    """Return the offering's waiting list in the order offers follow."""
    return (
        offering.applications.filter(state=State.WAITLISTED)
        .select_related("applicant", "school")
        .order_by(*WAITLIST_ORDER)
    )


def waiting_list_position(application: Application) -> int:
    """Where someone waiting is on their offering's list (1 is first): one count query."""
    ahead = list_waiting_list(application.offering).values_list("pk", flat=True)
    # The order mixes a rank, a time and the id, so count in the list rather than compare.
    return list(ahead).index(application.pk) + 1


def list_places_offered(offering: Offering) -> QuerySet[Application]:
    """Return the applications offered a place from the waiting list, soonest expiry first."""
    return (
        offering.applications.filter(state=State.PLACE_OFFERED)
        .select_related("applicant", "school")
        .order_by("offer_expires_at", "id")
    )


def list_facilitators(
    hub_ids: list[int] | None, *, provider_ids: list[int] = (), including: int | None = None
) -> QuerySet[User]:
    """Return active people with the facilitator role for any of these hubs or national
    providers (hub_ids None: anyone's).

    `including` keeps an offering's current facilitator choosable after their role ends.
    """
    assignments = Q(roles__role=Role.FACILITATOR)
    if hub_ids is not None:
        assignments &= Q(roles__hub_id__in=hub_ids) | Q(roles__provider_id__in=provider_ids)
    people = Q(assignments, is_active=True)
    if including is not None:
        people |= Q(pk=including)
    return User.objects.filter(people).distinct().order_by("full_name", "email")


EXPORT_HEADER = (
    "application id",
    "state",
    "submitted_at",
    "applicant name",
    "applicant email",
    "job role",
    "school URN",
    "school name",
    "offering id",
    "programme",
    "hub slug",
    "provider slug",
    "academic year",
)
_EXPORT_COLUMNS = (
    "pk",
    "state",
    "submitted_at",
    "applicant__full_name",
    "applicant__email",
    "job_role",
    "school_id",
    "school__name",
    "offering_id",
    "offering__programme__title",
    "offering__hub__slug",
    "offering__provider__slug",
    "offering__academic_year",
)


def iter_export_rows(applications: QuerySet[Application]) -> Iterator[tuple]:
    """Yield the export columns of applications as tuples, in chunks, without model objects;
    states and job roles in words ("On the waiting list", not "waitlisted")."""
    states = {value: str(label) for value, label in State.choices}
    job_roles = {value: str(label) for value, label in JobRole.choices}
    for row in (
        applications.order_by("offering_id", "submitted_at", "pk")
        .values_list(*_EXPORT_COLUMNS)
        .iterator(chunk_size=2000)
    ):
        pk, state, submitted_at, name, email, job_role, *rest = row
        yield (
            pk,
            states.get(state, state),
            submitted_at,
            name,
            email,
            job_roles.get(job_role, job_role),
            *rest,
        )


def list_export_applications(
    user: User, *, year: int, hub: Hub | None = None, provider: Provider | None = None
) -> QuerySet[Application]:
    """Return the applications to a hub's or provider's offerings in a year (every one the
    person may see)."""
    applications = Application.objects.filter(offering__academic_year=year)
    if hub is not None:
        applications = applications.filter(offering__hub=hub)
    if provider is not None:
        applications = applications.filter(offering__provider=provider)
    return _in_visible_offerings(applications, user, "offering")


def list_provider_reach(*, year: int) -> QuerySet[Provider]:
    """Every provider with its offerings, participants and schools in a year, counted in the
    database: national providers' offerings reported by provider, as hubs' are by hub."""
    in_year = Q(offerings__academic_year=year)
    taking_part = in_year & Q(offerings__applications__state__in=PARTICIPATING)
    return (
        Provider.objects.annotate(
            offering_count=Count("offerings", filter=in_year, distinct=True),
            participant_count=Count(
                "offerings__applications__applicant", filter=taking_part, distinct=True
            ),
            school_count=Count(
                "offerings__applications__school", filter=taking_part, distinct=True
            ),
        )
        .filter(offering_count__gt=0)
        .order_by("kind", "name")
    )


@dataclass(frozen=True)
class DesignOrigin:
    is_local: bool
    offerings: int
    participants: int
    schools: int


def count_provision_by_design(*, year: int) -> list[DesignOrigin]:
    """Offerings, participants and schools of a year, national programmes apart from those a
    hub designed locally, counted in one query."""
    taking_part = Q(applications__state__in=PARTICIPATING)
    rows = (
        Offering.objects.filter(academic_year=year)
        .annotate(is_local=Q(programme__designed_by_hub__isnull=False))
        .values("is_local")
        .annotate(
            offerings=Count("pk", distinct=True),
            participants=Count("applications__applicant", filter=taking_part, distinct=True),
            schools=Count("applications__school", filter=taking_part, distinct=True),
        )
        .order_by("is_local")
    )
    found = {row["is_local"]: row for row in rows}
    return [
        DesignOrigin(
            is_local=is_local,
            offerings=found.get(is_local, {}).get("offerings", 0),
            participants=found.get(is_local, {}).get("participants", 0),
            schools=found.get(is_local, {}).get("schools", 0),
        )
        for is_local in (False, True)
    ]
