"""Reads for webinars and events: registrations of an offering, counted in the database."""

from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import Count, QuerySet
from django.db.models.functions import Lower

from cpdnet.accounts.models import SCHOOL_REACH_KINDS, JobRole, OrganisationKind
from cpdnet.delivery.selectors import list_resources
from cpdnet.programmes.models import Kind, Offering

from .models import Registration, RegistrationStatus

EXPORT_HEADER = [
    "name",
    "email",
    "job_role",
    "school_urn",
    "school_name",
    "organisation_kind",
    "organisation_name",
    "status",
    "attended",
    "registered_at",
]


def is_webinar(offering: Offering) -> bool:
    """Whether an offering takes open registration instead of applications."""
    return offering.programme.kind == Kind.WEBINAR


def get_webinar(offering_id: int) -> Offering:
    """Return a webinar offering, or raise Offering.DoesNotExist alike for a missing offering
    and one that takes applications."""
    return Offering.objects.select_related("programme__network", "hub").get(
        pk=offering_id, programme__kind=Kind.WEBINAR
    )


def count_places_left(offering: Offering) -> int:
    confirmed = offering.registrations.filter(status=RegistrationStatus.CONFIRMED).count()
    return max(0, offering.capacity - confirmed)


def count_registrations(offering: Offering) -> dict[str, int]:
    """Registrations of an offering by status, every status present (zero when none)."""
    counts = dict.fromkeys(RegistrationStatus.values, 0)
    for row in offering.registrations.order_by().values("status").annotate(count=Count("pk")):
        counts[row["status"]] = row["count"]
    return counts


def list_registrations(offering: Offering, *, status: str = "") -> QuerySet[Registration]:
    """An offering's registrations, first come first, with their schools."""
    registrations = offering.registrations.select_related("school").order_by("created_at", "id")
    if status:
        registrations = registrations.filter(status=status)
    return registrations


def iter_export_rows(offering: Offering) -> Iterator[list]:
    """Rows for the registrations CSV, read in chunks so that memory stays flat."""
    rows = list_registrations(offering).values_list(
        "name",
        "email",
        "job_role",
        "school_id",
        "school__name",
        "organisation_kind",
        "organisation_name",
        "status",
        "attended",
        "created_at",
    )
    # Codes in words: "Class or subject teacher", "Confirmed".
    job_roles = {value: str(label) for value, label in JobRole.choices}
    statuses = {value: str(label) for value, label in RegistrationStatus.choices}
    kinds = {value: str(label) for value, label in OrganisationKind.choices}
    for row in rows.iterator(chunk_size=2000):
        name, email, job_role, urn, school, kind, organisation, status, attended, created_at = row
        yield [
            name,
            email,
            job_roles.get(job_role, job_role),
            urn,
            school,
            kinds.get(kind, kind),
            organisation,
            statuses.get(status, status),
            "" if attended is None else ("yes" if attended else "no"),
            created_at,
        ]


@dataclass(frozen=True)
class OrganisationCounts:
    """Registrants counted apart: schools and colleges (school reach) and everyone else."""

    from_schools: int
    from_other_organisations: int
    other_by_kind: list[tuple[str, int]]  # (label, count), largest first


def count_by_organisation(offerings) -> OrganisationCounts:
    """Active registrations of one offering or several, by kind of organisation: one query."""
    if isinstance(offerings, Offering):
        offerings = [offerings]
    rows = (
        Registration.objects.filter(offering__in=offerings)
        .exclude(status=RegistrationStatus.CANCELLED)
        .order_by()
        .values("organisation_kind")
        .annotate(count=Count("pk"))
    )
    counts = {row["organisation_kind"]: row["count"] for row in rows}
    labels = dict(OrganisationKind.choices)
    other = sorted(
        (
            (str(labels.get(kind, kind)), count)
            for kind, count in counts.items()
            if kind not in SCHOOL_REACH_KINDS
        ),
        key=lambda pair: (-pair[1], pair[0]),
    )
    return OrganisationCounts(
        from_schools=sum(counts.get(kind, 0) for kind in SCHOOL_REACH_KINDS),
        from_other_organisations=sum(count for _label, count in other),
        other_by_kind=other,
    )


def count_event_registrants_by_organisation(network, year: int) -> OrganisationCounts:
    """A network's webinar and event registrants in an academic year, schools apart."""
    return count_by_organisation(
        Offering.objects.filter(
            programme__network=network, programme__kind=Kind.WEBINAR, academic_year=year
        )
    )


def list_slides(offering: Offering):
    """What a webinar's runners shared for its registrants: slides and other resources."""
    return list_resources(offering)


def list_registrations_for_email(email: str) -> QuerySet[Registration]:
    return (
        Registration.objects.annotate(email_lower=Lower("email"))
        .filter(email_lower=email.lower())
        .select_related("offering__programme", "offering__hub", "offering__provider", "school")
        .order_by("created_at", "id")
    )


def export_registrations(email: str) -> list[dict]:
    """A person's registrations, for their data download."""
    return [
        {
            "event": registration.offering.programme.title,
            "hub": registration.offering.runner_name,
            "name": registration.name,
            "email": registration.email,
            "job_role": registration.job_role,
            "school": (
                {"urn": registration.school.urn, "name": registration.school.name}
                if registration.school_id
                else None
            ),
            "organisation_kind": registration.organisation_kind,
            "organisation_name": registration.organisation_name,
            "status": registration.status,
            "attended": registration.attended,
            "registered_at": registration.created_at.isoformat(),
        }
        for registration in list_registrations_for_email(email)
    ]
