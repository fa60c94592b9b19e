"""Demo webinar registrations: safe to load again (nothing is made twice)."""

import random

from django.db.models import Count, Q
from django.utils import timezone

from cpdnet.accounts.models import JobRole, OrganisationKind, Role, RoleAssignment
from cpdnet.programmes.models import Kind, Offering
from cpdnet.schools.models import School

from .models import Registration, RegistrationStatus

DEMO_DOMAIN = "demo.example.org"
DEMO_TEACHER = "teacher@example.org"
NAMES = (
    "Amara Okafor",
    "Ben Hughes",
    "Chloe Patel",
    "Dan Murphy",
    "Ella Shah",
    "Finn Walker",
    "Gita Mistry",
    "Hugo Evans",
    "Isla Brown",
    "Jamal Khan",
)


def load_demo_events(*, seed: int = 2026) -> dict:
    """Register made-up teachers (and the demo teacher) for open webinars."""
    registrations = _load_registrations(seed)
    return {
        "registrations_created": registrations,
        "open_webinars_with_places": _open_webinars_with_places(),
    }


# Registrants from beyond schools: (email, name, job role, kind, organisation).
WIDER_REGISTRANTS = (
    (
        "priya.raman@leeds.demo.example.org",
        "Dr Priya Raman",
        JobRole.CLASS_TEACHER,
        OrganisationKind.UNIVERSITY,
        "University of Leeds, School of Education",
    ),
    (
        "tom.fielding@industry.demo.example.org",
        "Tom Fielding",
        JobRole.CLASS_TEACHER,
        OrganisationKind.INDUSTRY,
        "Arup, STEM ambassadors",
    ),
    (
        "nia.evans@itt.demo.example.org",
        "Nia Evans",
        JobRole.CLASS_TEACHER,
        OrganisationKind.ITT_PROVIDER,
        "Leeds Trinity University, initial teacher training",
    ),
)
OPEN_WIDELY = ",".join(OrganisationKind.values)


def load_demo_audiences(webinars: list[Offering]) -> int:
    """Open these webinars to every kind of organisation and register people from a
    university, industry and teacher training, counted apart from school reach."""
    added = 0
    for offering in webinars:
        if offering.open_to_organisations != OPEN_WIDELY:
            Offering.objects.filter(pk=offering.pk).update(open_to_organisations=OPEN_WIDELY)
        for email, name, job_role, kind, organisation in WIDER_REGISTRANTS:
            _registration, created = Registration.objects.get_or_create(
                offering=offering,
                email=email,
                defaults={
                    "name": name,
                    "job_role": job_role,
                    "organisation_kind": kind,
                    "organisation_name": organisation,
                    "status": RegistrationStatus.CONFIRMED,
                },
            )
            added += created
    return added


def first_open_webinar() -> Offering | None:
    webinars = _open_webinars()
    demo_hubs = _demo_hub_ids()
    return next((o for o in webinars if o.hub_id in demo_hubs), webinars[0] if webinars else None)


def _open_webinars() -> list[Offering]:
    now = timezone.now()
    return list(
        Offering.objects.filter(
            programme__kind=Kind.WEBINAR,
            applications_open_at__lte=now,
            applications_close_at__gt=now,
        )
        .select_related("hub")
        .order_by("hub__name", "id")
    )


def _open_webinars_with_places() -> int:
    confirmed = Count("registrations", filter=Q(registrations__status=RegistrationStatus.CONFIRMED))
    return sum(
        1
        for offering in Offering.objects.filter(pk__in=[o.pk for o in _open_webinars()]).annotate(
            confirmed=confirmed
        )
        if offering.confirmed < offering.capacity
    )


def _demo_hub_ids() -> set[int]:
    return set(
        RoleAssignment.objects.filter(
            role=Role.HUB_STAFF, user__email="hub@example.org"
        ).values_list("hub_id", flat=True)
    )


def _load_registrations(seed: int) -> int:
    webinars = _open_webinars()
    demo_hubs = _demo_hub_ids()
    # The demo hub's open webinars, and a few elsewhere, get some registrations.
    chosen = [offering for offering in webinars if offering.hub_id in demo_hubs] + [
        offering for offering in webinars if offering.hub_id not in demo_hubs
    ][:3]
    schools = list(
        School.objects.filter(is_state_funded=True, la_code="383")
        .order_by("urn")
        .values_list("urn", flat=True)[:200]
    )
    existing = set(
        Registration.objects.filter(offering__in=chosen).values_list("offering_id", "email")
    )
    new = []
    for offering in chosen:
        rng = random.Random(f"{seed}-{offering.pk}")  # noqa: S311 - repeatable demo data
        wanted = [
            (f"registrant{number}@{DEMO_DOMAIN}", rng.choice(NAMES))
            for number in range(1, rng.randint(12, 30))
        ]
        if offering.hub_id in demo_hubs and offering is chosen[0]:
            wanted.append((DEMO_TEACHER, "Tara Teacher (demo)"))
        for email, name in wanted:
            if (offering.pk, email) in existing:
                continue
            new.append(
                Registration(
                    offering=offering,
                    name=name,
                    email=email,
                    job_role=rng.choice([JobRole.CLASS_TEACHER, JobRole.SUBJECT_LEAD]),
                    school_id=rng.choice(schools) if schools and rng.random() < 0.9 else None,
                    # Demo webinars have hundreds of places: everyone here has one.
                    status=RegistrationStatus.CONFIRMED,
                )
            )
    Registration.objects.bulk_create(new, batch_size=500)
    return len(new)
