"""Demo programmes, offerings, accounts and applications for `cpdnet load-demo`.

Programme names are modelled on the public maths hubs and science CPD programmes; the
summaries and descriptions are written for the demo, and every offering, person and
application is made up. Rows are made directly with the models (no services), so loading sends
no email. Everything is keyed so that loading again changes nothing but the application
windows, which follow today's date so that the demo always has offerings open.
"""

import csv
import datetime
import random
import uuid
from collections import Counter
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from cpdnet.accounts.models import JobRole, Role, RoleAssignment, User
from cpdnet.applications.models import (
    HOLDS_PLACE,
    Affiliation,
    AffiliationChange,
    AffiliationState,
    Application,
    State,
    Transition,
    VerifiedDomain,
)
from cpdnet.hubs.directory import get_hub_directory
from cpdnet.hubs.models import Hub, HubArea, Network
from cpdnet.programmes import services
from cpdnet.schools.models import School, SchoolStatus

from .models import SCHOOL_PHASES, Kind, Mode, Offering, Phase, Programme, Provider, Session

PROGRAMMES_CSV = Path(__file__).resolve().parent / "demo_data" / "programmes.csv"
LONDON = ZoneInfo("Europe/London")
DEMO_HUB_SLUG = "west-yorkshire-maths-hub"
LEEDS = "383"
SYNTHETIC_DOMAIN = "demo.example.org"

# Where an offering's application window stands: the previous academic year's offerings are
# all over; this year's are closed (started or about to), open now, or opening later.
FINISHED, CLOSED, OPEN, LATER = "finished", "closed", "open", "later"


@dataclass(frozen=True)
class DemoAccount:
    email: str
    full_name: str
    role: str | None  # None: a teacher, who needs no role
    job_role: str = ""


ACCOUNTS = (
    DemoAccount("national@example.org", "Nadia National (demo)", Role.NATIONAL_STAFF),
    DemoAccount("hub@example.org", "Harry Hub (demo)", Role.HUB_STAFF),
    DemoAccount(
        "facilitator@example.org", "Fran Facilitator (demo)", Role.FACILITATOR, JobRole.SUBJECT_LEAD
    ),
    DemoAccount(
        "approver@example.org", "Alex Approver (demo)", Role.SCHOOL_APPROVER, JobRole.SENIOR_LEADER
    ),
    DemoAccount("teacher@example.org", "Tara Teacher (demo)", None, JobRole.CLASS_TEACHER),
    DemoAccount("assessor@example.org", "Asha Assessor (demo)", Role.ASSESSOR),
    DemoAccount("evaluator@example.org", "Evan Evaluator (demo)", Role.EVALUATOR),
)

DEMO_SCHOOL_DOMAIN = "demo-school.example.org"

# The demo teacher's applications, one in each state: (programme, year, window, state).
# "previous" is last academic year, "current" this one; the window is forced on the demo hub.
TEACHER_APPLICATIONS = (
    ("mastering-number-reception-ks1", "previous", FINISHED, State.COMPLETED),
    ("primary-tfm-development", "current", CLOSED, State.ACCEPTED),
    ("mastering-number-ks2", "current", OPEN, State.SUBMITTED),
    ("years-5-8-continuity", "current", OPEN, State.AWAITING_SCHOOL_APPROVAL),
    ("primary-mastery-specialists", "current", CLOSED, State.WAITLISTED),
    ("reasoning-ks2", "current", CLOSED, State.PLACE_OFFERED),
    ("early-years-building-firm-foundations", "current", CLOSED, State.DECLINED),
    ("webinar-using-manipulatives", "current", OPEN, State.WITHDRAWN),
)
# Open in the demo hub this year and not yet applied for: the demo teacher can try applying.
TEACHER_MAY_APPLY = "sktm-primary"
# Offerings the demo teacher waits for or was offered a place on are full, with a waiting list.
FULL_FOR_TEACHER = {"primary-mastery-specialists", "reasoning-ks2"}

# Made-up teachers' names: a first and a last name drawn from these.
FIRST_NAMES = (
    "Aisha Ben Chloe Daniel Emma Faisal Grace Harvey Imran Jade Kieran Laura Mohammed Niamh "
    "Oliver Priya Rachel Sam Tom Uma Victoria Will Yasmin Zoe Aaron Bethany Callum Deepa Ellie "
    "Fraser Georgia Hannah Isaac Jess Kate Liam Megan Nathan Olivia Peter Rosie Sophie Tariq"
)
LAST_NAMES = (
    "Ahmed Bailey Begum Brown Clarke Davies Evans Fisher Green Hall Hussain Jackson Jones Khan "
    "Lewis Martin Mistry Nowak Okafor Patel Roberts Shah Smith Taylor Thompson Walker Ward "
    "White Wilson Wood Wright Young"
)
TEACHER_STATEMENT = "I teach Year 4 and want to help our school develop teaching for mastery."
STATEMENTS = (
    "I lead maths in my year group and want to develop how we teach it across the school.",
    "Our department is starting to teach for mastery and I would like to help lead it.",
    "I would like to improve my subject knowledge and share what I learn with colleagues.",
    "Our pupils' results in this area are weaker than the rest and I want to understand why.",
    "",
)


def _rng(*parts: object) -> random.Random:
    """A generator seeded by its parts, so that the same parts always give the same demo."""
    return random.Random(":".join(map(str, parts)))  # noqa: S311 - demo data, not secrets


def academic_year_of(day: datetime.date) -> int:
    """Return the academic year a date falls in: 2026 for September 2026 to August 2027."""
    return day.year if day.month >= 9 else day.year - 1


@dataclass
class PlannedOffering:
    programme: Programme
    hub: Hub
    year: int
    cohort_name: str
    window: str
    values: dict = field(default_factory=dict)

    @property
    def key(self) -> tuple[int, int, int, str]:
        return (self.programme.pk, self.hub.pk, self.year, self.cohort_name)


@dataclass
class PlannedApplication:
    applicant: User
    school_id: int
    offering: Offering
    job_role: str
    approver_email: str
    path: list[str]
    times: list[datetime.datetime]
    actors: list[tuple[User | None, str, str]]  # (by, by_label, reason) for each step
    statement: str = ""


def load_demo_programmes(*, seed: int = 2026, now: datetime.datetime | None = None) -> dict:
    """Load the demo programmes, every hub's offerings, the demo accounts and applications."""
    now = now or timezone.now()
    current = academic_year_of(timezone.localdate(now, LONDON))
    years = {"previous": current - 1, "current": current}
    with transaction.atomic():
        programmes = _upsert_programmes()
        hubs = list(
            Hub.objects.select_related("network", "lead_school").order_by(
                "network__display_order", "slug"
            )
        )
        demo_hub = _pick_demo_hub(hubs)
        area_schools = _schools_in_area(demo_hub) if demo_hub else []
        demo_school = _pick_demo_school(area_schools, seed)
        accounts = _ensure_accounts(demo_hub, demo_school)
        if demo_school:
            # Addresses on the demo school's own domain may release its staff, as well as the
            # registered demo approver.
            VerifiedDomain.objects.get_or_create(
                domain=DEMO_SCHOOL_DOMAIN, school_id=demo_school["urn"]
            )
        plans = _plan_offerings(
            programmes, hubs, demo_hub=demo_hub, years=years, seed=seed, now=now
        )
        offerings, created_offerings = _upsert_offerings(
            plans, facilitator=accounts["facilitator@example.org"], demo_hub=demo_hub, now=now
        )
        created_applications = teachers = 0
        if demo_hub and demo_school:
            applications = _plan_teacher_applications(
                plans,
                offerings,
                accounts,
                demo_school,
                demo_hub=demo_hub,
                years=years,
                seed=seed,
                now=now,
            )
            synthetic, teachers = _plan_synthetic_applications(
                plans,
                offerings,
                accounts,
                area_schools,
                demo_hub=demo_hub,
                years=years,
                seed=seed,
                now=now,
            )
            created_applications = _create_applications([*applications, *synthetic])
        demo_offerings = Offering.objects.filter(
            programme__slug__in=[programme.slug for programme in programmes.values()]
        )
        summary = {
            "programmes": len(programmes),
            "offerings": len(plans),
            "offerings_created": created_offerings,
            "accounts": len(accounts),
            "teachers": teachers,
            "applications": Application.objects.filter(offering__in=demo_offerings).count(),
            "applications_created": created_applications,
            "years": sorted(years.values()),
            "demo_hub": demo_hub.slug if demo_hub else "",
            "demo_school": demo_school["urn"] if demo_school else None,
        }
    return summary


# --- programmes -----------------------------------------------------------------------------


def _upsert_programmes() -> dict[str, Programme]:
    networks = {network.slug: network for network in Network.objects.all()}
    with PROGRAMMES_CSV.open(encoding="utf-8") as file:
        rows = [row for row in csv.DictReader(file) if row["network"] in networks]
    programmes = {}
    for row in rows:
        programme, _ = Programme.objects.update_or_create(
            slug=row["slug"],
            defaults={
                "network": networks[row["network"]],
                "title": row["title"],
                "phase": Phase(row["phase"]),
                "key_stages": row["key_stages"],
                "kind": Kind(row["kind"]),
                "audience": row["audience"],
                "funding_model": row["funding_model"],
                "fee": Decimal(row["fee"] or "0"),
                "counts_schools": row["counts_schools"] == "yes",
                "summary": row["summary"],
                "description": row["description"],
                "is_active": True,
            },
        )
        programmes[programme.slug] = programme
    for row in rows:
        conflicts = [programmes[slug] for slug in row["conflicts_with"].split(";") if slug]
        programmes[row["slug"]].conflicts_with.set(conflicts)
    return programmes


# --- the demo hub, its schools and the demo accounts ----------------------------------------


def _pick_demo_hub(hubs: list[Hub]) -> Hub | None:
    for hub in hubs:
        if hub.slug == DEMO_HUB_SLUG:
            return hub
    maths = [hub for hub in hubs if hub.network.slug == "maths"]
    return next((hub for hub in maths if hub.lead_school_id), maths[0] if maths else None)


def _schools_in_area(hub: Hub) -> list[dict]:
    """Return the open state-funded schools the hub serves, by URN (one query)."""
    la_codes = set(HubArea.objects.filter(hub=hub).values_list("local_authority_id", flat=True))
    directory = get_hub_directory()
    rows = (
        School.objects.filter(status__in=SchoolStatus.open_values(), is_state_funded=True)
        .filter(Q(la_code__in=la_codes) | Q(hub_overrides__hub=hub))
        .order_by("urn")
        .values("urn", "name", "phase", "la_code", "district_code")
        .distinct()
    )
    return [
        row
        for row in rows
        if getattr(
            directory.hubs_for(row["la_code"], row["district_code"], row["urn"]).get(
                hub.network_id
            ),
            "pk",
            None,
        )
        == hub.pk
    ]


def _pick_demo_school(schools: list[dict], seed: int) -> dict | None:
    """An open primary school in Leeds if there is one, else any primary, else any school."""
    for candidates in (
        [row for row in schools if row["la_code"] == LEEDS and row["phase"] == "Primary"],
        [row for row in schools if row["phase"] == "Primary"],
        schools,
    ):
        if candidates:
            return _rng(seed, "school").choice(candidates)
    return None


def _ensure_accounts(hub: Hub | None, school: dict | None) -> dict[str, User]:
    from cpdnet.hubs.management.commands.load_demo import DEMO_PASSWORD

    users = {user.email: user for user in User.objects.filter(email__in=_account_emails())}
    password = None
    for account in ACCOUNTS:
        user = users.get(account.email)
        if user is None:
            password = password or make_password(DEMO_PASSWORD)  # hashing is slow: once
            is_national = account.role == Role.NATIONAL_STAFF
            user = User.objects.create(
                email=account.email,
                full_name=account.full_name,
                password=password,
                job_role=account.job_role,
                is_staff=is_national,
                is_superuser=is_national,
            )
            users[user.email] = user
        needs_school = account.email in ("teacher@example.org", "approver@example.org")
        if needs_school and school and user.school_id is None:
            user.school_id = school["urn"]
            user.save(update_fields=["school"])
        _assign_role(user, account.role, hub=hub, school_urn=user.school_id)
    return users


def _account_emails() -> list[str]:
    return [account.email for account in ACCOUNTS]


def _assign_role(user: User, role: str | None, *, hub: Hub | None, school_urn: int | None):
    if role is None:
        return
    if role == Role.SCHOOL_APPROVER:
        if school_urn is not None:
            RoleAssignment.objects.get_or_create(user=user, role=role, school_id=school_urn)
    elif role in (Role.HUB_STAFF, Role.FACILITATOR):
        if hub is not None:
            RoleAssignment.objects.get_or_create(user=user, role=role, hub=hub)
    else:
        RoleAssignment.objects.get_or_create(user=user, role=role, hub=None, school=None)


# --- offerings ------------------------------------------------------------------------------


def _plan_offerings(
    programmes: dict[str, Programme],
    hubs: list[Hub],
    *,
    demo_hub: Hub | None,
    years: dict[str, int],
    seed: int,
    now: datetime.datetime,
) -> list[PlannedOffering]:
    by_network: dict[int, list[Programme]] = {}
    for programme in sorted(programmes.values(), key=lambda programme: programme.slug):
        by_network.setdefault(programme.network_id, []).append(programme)
    today = timezone.localdate(now, LONDON)
    plans = []
    for hub in hubs:
        available = by_network.get(hub.network_id, [])
        if not available:
            continue
        for year_name, year in years.items():
            rng = _rng(seed, hub.slug, year)
            forced = {}
            if hub == demo_hub:
                forced = {
                    slug: window
                    for slug, when, window, _state in TEACHER_APPLICATIONS
                    if when == year_name and slug in programmes
                }
                if year_name == "current" and TEACHER_MAY_APPLY in programmes:
                    forced[TEACHER_MAY_APPLY] = OPEN
            chosen = _choose_programmes(rng, available, forced)
            windows = [_window_for(rng, programme, year_name, forced) for programme in chosen]
            if year_name == "current" and OPEN not in windows:
                windows[0] = OPEN
            seen: Counter[str] = Counter()
            for programme, window in zip(chosen, windows, strict=True):
                seen[programme.slug] += 1
                cohort_name = "" if seen[programme.slug] == 1 else "Second cohort"
                plan = PlannedOffering(programme, hub, year, cohort_name, window)
                plan.values = _offering_values(rng, plan, today=today)
                plans.append(plan)
    return plans


def _choose_programmes(
    rng: random.Random, available: list[Programme], forced: dict[str, str]
) -> list[Programme]:
    """Four to eight programmes (a second cohort of some where the network has few)."""
    wanted = rng.randint(4, 8)
    required = [programme for programme in available if programme.slug in forced]
    others = [programme for programme in available if programme.slug not in forced]
    # The demo hub runs the teacher's programmes and a good spread besides.
    extra = max(wanted - len(required), 4 if required else 0)
    chosen = required + rng.sample(others, min(extra, len(others)))
    repeatable = [
        programme
        for programme in chosen
        if programme.kind in (Kind.WORK_GROUP, Kind.COURSE) and programme.slug not in forced
    ]
    while len(chosen) < wanted and repeatable:
        chosen.append(repeatable.pop(rng.randrange(len(repeatable))))
    return chosen


def _window_for(rng: random.Random, programme: Programme, year_name: str, forced) -> str:
    if programme.slug in forced:
        return forced[programme.slug]
    if year_name == "previous":
        return FINISHED
    if programme.kind == Kind.WEBINAR:
        return OPEN
    return rng.choices([CLOSED, OPEN, LATER], weights=[4, 4, 2])[0]


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=LONDON)


def school_day(day: datetime.date) -> datetime.date:
    """The first weekday on or after `day` outside the Christmas and summer holidays."""
    while (
        day.weekday() >= 5
        or (day.month, day.day) >= (12, 20)
        or (day.month, day.day) <= (1, 4)
        or day.month == 8
    ):
        day += datetime.timedelta(days=1)
    return day


def _days(rng: random.Random, low: int, high: int) -> datetime.timedelta:
    return datetime.timedelta(days=rng.randint(low, high))


def _offering_values(rng: random.Random, plan: PlannedOffering, *, today) -> dict:
    programme, hub, year = plan.programme, plan.hub, plan.year
    kind = programme.kind
    if kind == Kind.WEBINAR:
        capacity, school_capacity, mode, sessions, length = 500, None, Mode.ONLINE, 1, 0
    elif kind == Kind.RESIDENTIAL:
        capacity, mode, sessions, length = rng.choice([40, 48, 60]), Mode.FACE_TO_FACE, 2, 1
        school_capacity = None
    elif kind == Kind.ACCREDITATION:
        # The equivalent of three one-day workshops (SESSION_TIMES gives each six hours).
        capacity, mode, sessions, length = rng.randint(8, 12), Mode.BLENDED, 3, 220
        school_capacity = None
    elif kind == Kind.WORK_GROUP:
        capacity = rng.randint(8, 20)
        school_capacity = min(capacity, capacity // 2 + rng.randint(1, 3))
        mode = rng.choice([Mode.BLENDED, Mode.BLENDED, Mode.FACE_TO_FACE, Mode.ONLINE])
        sessions, length = rng.randint(3, 6), rng.randint(120, 220)
    else:
        capacity = rng.randint(16, 30)
        school_capacity = capacity // 2
        mode = rng.choice([Mode.FACE_TO_FACE, Mode.ONLINE, Mode.BLENDED])
        sessions, length = rng.randint(2, 4), rng.randint(30, 120)
    if not programme.counts_schools:
        school_capacity = None

    year_start, year_end = datetime.date(year, 9, 8), datetime.date(year + 1, 7, 17)
    if plan.window == FINISHED:
        starts_on = school_day(year_start + _days(rng, 7, 150))
        close_day = starts_on - _days(rng, 7, 21)
        open_day = close_day - _days(rng, 28, 56)
    else:
        if plan.window == CLOSED:
            close_day = today - _days(rng, 3, 40)
            open_day = close_day - _days(rng, 28, 56)
        elif plan.window == OPEN:
            open_day = today - _days(rng, 2, 21)
            close_day = today + _days(rng, 10, 45)
        else:
            open_day = today + _days(rng, 14, 60)
            close_day = open_day + _days(rng, 28, 42)
        starts_on = school_day(max(close_day + _days(rng, 1 if length == 0 else 7, 21), year_start))
    ends_on = max(min(starts_on + datetime.timedelta(days=length), year_end), starts_on)
    return {
        "capacity": capacity,
        "school_capacity": school_capacity,
        "mode": mode,
        "venue": _venue(hub, mode, kind),
        "planned_sessions": sessions,
        "starts_on": starts_on,
        "ends_on": ends_on,
        "applications_open_at": _at(open_day, 9),
        "applications_close_at": _at(close_day, 17),
        "local_only": kind not in (Kind.WEBINAR, Kind.RESIDENTIAL),
        "requires_school_approval": kind != Kind.WEBINAR,
    }


def _venue(hub: Hub, mode: str, kind: str) -> str:
    if mode == Mode.ONLINE:
        return ""
    school = hub.lead_school
    if kind == Kind.RESIDENTIAL:
        town = school.town if school and school.town else hub.region
        return f"Conference centre near {town}" if town else "Conference centre"
    if school:
        return ", ".join(part for part in (school.name, school.town) if part)[:200]
    return (hub.lead_school_name or hub.name)[:200]


# The fields a re-load may change on an existing offering: all that hub staff may set but
# what identifies the offering (programme, year, cohort) and its facilitator.
OFFERING_FIELDS = sorted(
    services.OFFERING_FIELDS - {"programme", "academic_year", "cohort_name", "facilitator"}
)


def _upsert_offerings(
    plans: list[PlannedOffering],
    *,
    facilitator: User,
    demo_hub: Hub | None,
    now: datetime.datetime,
) -> tuple[dict[tuple, Offering], int]:
    """Create missing offerings and move existing ones' dates and windows to today's plan."""
    existing = {
        (offering.programme_id, offering.hub_id, offering.academic_year, offering.cohort_name): (
            offering
        )
        for offering in Offering.objects.filter(
            academic_year__in={plan.year for plan in plans},
            programme_id__in={plan.programme.pk for plan in plans},
        )
    }
    provider_of_hub = dict(Provider.objects.filter(hub__isnull=False).values_list("hub_id", "pk"))
    offerings, new, changed = {}, [], []
    for plan in plans:
        values = dict(plan.values)
        if (
            plan.hub == demo_hub
            and plan.programme.kind != Kind.WEBINAR
            and plan.programme.phase in (Phase.PRIMARY, Phase.EARLY_YEARS, Phase.ALL)
        ):
            values["facilitator_id"] = facilitator.pk
        offering = existing.get(plan.key)
        if offering is None:
            offering = Offering(
                programme=plan.programme,
                hub=plan.hub,
                provider_id=provider_of_hub[plan.hub.pk],
                academic_year=plan.year,
                cohort_name=plan.cohort_name,
                **values,
            )
            new.append(offering)
        elif any(getattr(offering, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(offering, name, value)
            offering.updated_at = now
            changed.append(offering)
        offerings[plan.key] = offering
    Offering.objects.bulk_create(new, batch_size=500)
    if changed:
        Offering.objects.bulk_update(
            changed, [*OFFERING_FIELDS, "facilitator_id", "updated_at"], batch_size=200
        )
    return offerings, len(new)


# --- applications ---------------------------------------------------------------------------


def _path(final: str, *, needs_school: bool, school_declined: bool = False) -> list[str]:
    """The states an application passed through to reach `final`, first to last."""
    start = [State.AWAITING_SCHOOL_APPROVAL, State.SUBMITTED] if needs_school else [State.SUBMITTED]
    if final == State.AWAITING_SCHOOL_APPROVAL:
        return [State.AWAITING_SCHOOL_APPROVAL]
    if final == State.SUBMITTED:
        return start
    if final == State.DECLINED and school_declined and needs_school:
        return [State.AWAITING_SCHOOL_APPROVAL, State.DECLINED]
    if final in (State.ACCEPTED, State.WAITLISTED, State.DECLINED):
        return [*start, final]
    if final == State.PLACE_OFFERED:
        return [*start, State.WAITLISTED, State.PLACE_OFFERED]
    return [*start, State.ACCEPTED, final]  # withdrawn, completed, not completed


def _times(
    rng: random.Random, offering: Offering, path: list[str], *, now: datetime.datetime
) -> list[datetime.datetime]:
    """Plausible moments for each step: applied in the window, decided days later, before now."""
    latest = now - datetime.timedelta(minutes=5)
    opened = offering.applications_open_at
    closed = min(offering.applications_close_at, latest)
    recent = path[-1] in (State.AWAITING_SCHOOL_APPROVAL, State.PLACE_OFFERED)
    if path[-1] == State.AWAITING_SCHOOL_APPROVAL:
        # Still within the school's days to answer, so the demo does not lapse at once.
        first = max(opened, latest - datetime.timedelta(hours=rng.uniform(2, 72)))
    else:
        first = opened + (closed - opened) * rng.uniform(0.05, 0.8)
    times = [min(first, latest)]
    for index, state in enumerate(path[1:], start=1):
        if state in (State.COMPLETED, State.NOT_COMPLETED):
            moment = _at(offering.ends_on, 17)
        elif recent and index == len(path) - 1:
            moment = latest - datetime.timedelta(hours=rng.uniform(1, 36))
        else:
            moment = times[-1] + datetime.timedelta(hours=rng.uniform(6, 24 * 6))
        times.append(max(min(moment, latest), times[-1]))
    return times


REASONS = {
    State.WAITLISTED: "All places are taken: you are on the waiting list.",
    State.PLACE_OFFERED: "A place came free",
    State.NOT_COMPLETED: "Did not attend enough sessions",
}


def _actors(
    path: list[str],
    *,
    applicant: User,
    approver: User | None,
    hub_staff: User,
    facilitator: User,
    decline_reason: str = "",
    withdraw_reason: str = "",
) -> list[tuple[User | None, str, str]]:
    actors: list[tuple[User | None, str, str]] = []
    previous = ""
    for state in path:
        if not previous:
            actor = (applicant, "", "")
        elif previous == State.AWAITING_SCHOOL_APPROVAL:
            label = "" if approver else "Headteacher (email link)"
            reason = (
                "Released by the school"
                if state == State.SUBMITTED
                else decline_reason or "The school cannot release the teacher this year"
            )
            actor = (approver, label, reason)
        elif state == State.PLACE_OFFERED:
            actor = (None, "", REASONS[state])
        elif state == State.WITHDRAWN:
            actor = (applicant, "", withdraw_reason or "Withdrawn by the teacher")
        elif state in (State.COMPLETED, State.NOT_COMPLETED):
            actor = (facilitator, "", REASONS.get(state, ""))
        elif state == State.DECLINED:
            actor = (hub_staff, "", decline_reason or "Not the right programme for this role")
        else:
            actor = (hub_staff, "", REASONS.get(state, ""))
        actors.append(actor)
        previous = state
    return actors


def _plan_teacher_applications(
    plans: list[PlannedOffering],
    offerings: dict[tuple, Offering],
    accounts: dict[str, User],
    school: dict,
    *,
    demo_hub: Hub,
    years: dict[str, int],
    seed: int,
    now: datetime.datetime,
) -> list[PlannedApplication]:
    teacher, approver = accounts["teacher@example.org"], accounts["approver@example.org"]
    by_slug = {
        (plan.programme.slug, plan.year): offerings[plan.key]
        for plan in plans
        if plan.hub == demo_hub and not plan.cohort_name
    }
    rng = _rng(seed, "teacher")
    planned = []
    for slug, when, _window, state in TEACHER_APPLICATIONS:
        offering = by_slug.get((slug, years[when]))
        if offering is None:
            continue
        path = _path(state, needs_school=offering.requires_school_approval)
        planned.append(
            PlannedApplication(
                applicant=teacher,
                school_id=teacher.school_id or school["urn"],
                offering=offering,
                job_role=teacher.job_role or JobRole.CLASS_TEACHER,
                approver_email=approver.email,
                statement=TEACHER_STATEMENT,
                path=path,
                times=_times(rng, offering, path, now=now),
                actors=_actors(
                    path,
                    applicant=teacher,
                    approver=approver,
                    hub_staff=accounts["hub@example.org"],
                    facilitator=accounts["facilitator@example.org"],
                    decline_reason=(
                        "This Work Group is for nursery and Reception staff; the hub suggests "
                        "Mastering Number at KS2"
                    ),
                    withdraw_reason="The webinar clashes with parents' evening",
                ),
            )
        )
    return planned


def _schools_for(phase: str, schools: list[dict]) -> list[dict]:
    if phase == Phase.ALL:
        return schools
    matching = [row for row in schools if phase in SCHOOL_PHASES.get(row["phase"], set())]
    return matching or schools


def _plan_synthetic_applications(
    plans: list[PlannedOffering],
    offerings: dict[tuple, Offering],
    accounts: dict[str, User],
    schools: list[dict],
    *,
    demo_hub: Hub,
    years: dict[str, int],
    seed: int,
    now: datetime.datetime,
) -> tuple[list[PlannedApplication], int]:
    """A few hundred applications by made-up teachers at real schools across the demo hub."""
    year_names = {year: name for name, year in years.items()}
    teacher_states = {(slug, when): state for slug, when, _window, state in TEACHER_APPLICATIONS}
    teacher_programmes = {slug for slug, _when in teacher_states}
    # (offering, final state, school) for every synthetic application, in a fixed order.
    wanted: list[tuple[PlannedOffering, str]] = []
    fuller = 0
    for plan in plans:
        # Webinars take open registrations, not applications (cpdnet.events.demo).
        webinar = plan.programme.kind == Kind.WEBINAR
        if plan.hub != demo_hub or plan.window == LATER or webinar:
            continue
        rng = _rng(seed, "applications", plan.programme.slug, plan.year, plan.cohort_name)
        capacity = plan.values["capacity"]
        teacher_state = teacher_states.get((plan.programme.slug, year_names[plan.year]))
        held = 1 if teacher_state in HOLDS_PLACE and not plan.cohort_name else 0
        states: list[str] = []
        if plan.window == FINISHED:
            taken = min(round(capacity * rng.uniform(0.6, 1.0)), capacity - held)
            for _ in range(taken):
                states.append(
                    rng.choices(
                        [State.COMPLETED, State.NOT_COMPLETED, State.WITHDRAWN], [80, 10, 10]
                    )[0]
                )
            states += [State.DECLINED] * rng.randint(0, 2)
        elif plan.window == CLOSED:
            full = plan.programme.slug in FULL_FOR_TEACHER or rng.random() < 0.4
            taken = capacity - held if full else round(capacity * rng.uniform(0.6, 0.9))
            states += [State.ACCEPTED] * taken
            states += [State.WAITLISTED] * (rng.randint(2, 4) if full else 0)
            states += [State.DECLINED] * rng.randint(0, 2)
            states += [State.WITHDRAWN] * rng.randint(0, 1)
        else:
            full = fuller < 2 and plan.programme.slug not in teacher_programmes
            fuller += full
            taken = capacity if full else round(capacity * rng.uniform(0.2, 0.6))
            states += [State.ACCEPTED] * taken
            states += [State.WAITLISTED] * (rng.randint(2, 5) if full else 0)
            states += [State.SUBMITTED] * rng.randint(1, 4)
            states += [State.AWAITING_SCHOOL_APPROVAL] * rng.randint(1, 4)
        wanted += [(plan, state) for state in states]

    rng = _rng(seed, "teachers")
    first_names, last_names = FIRST_NAMES.split(), LAST_NAMES.split()
    emails = [f"teacher{number}@{SYNTHETIC_DOMAIN}" for number in range(1, len(wanted) + 1)]
    existing = {
        user.email: user for user in User.objects.filter(email__endswith=f"@{SYNTHETIC_DOMAIN}")
    }
    new_users = []
    school_cycle: Counter[tuple] = Counter()
    chosen_schools = []
    for (plan, _state), email in zip(wanted, emails, strict=True):
        candidates = _schools_for(plan.programme.phase, schools)
        offset = _rng(
            seed, plan.programme.slug, plan.hub.slug, plan.year, plan.cohort_name
        ).randrange(len(candidates))
        index = school_cycle[plan.key]
        school_cycle[plan.key] += 1
        school = candidates[(offset + index) % len(candidates)]  # a different school each
        chosen_schools.append(school)
        job_role = rng.choice(plan.programme.audience_roles or [JobRole.CLASS_TEACHER])
        if email not in existing:
            user = User(
                email=email,
                full_name=f"{rng.choice(first_names)} {rng.choice(last_names)}",
                school_id=school["urn"],
                job_role=job_role,
                password=make_password(None),
            )
            new_users.append(user)
            existing[email] = user
        else:
            rng.choice(first_names), rng.choice(last_names)  # keep the sequence the same
    User.objects.bulk_create(new_users, batch_size=500)  # sets their ids (SQLite 3.35+, PG)

    planned = []
    for (plan, state), email, school in zip(wanted, emails, chosen_schools, strict=True):
        offering = offerings[plan.key]
        applicant = existing[email]
        step_rng = _rng(seed, email)
        path = _path(
            state,
            needs_school=offering.requires_school_approval,
            school_declined=step_rng.random() < 0.5,
        )
        planned.append(
            PlannedApplication(
                applicant=applicant,
                school_id=applicant.school_id or school["urn"],
                offering=offering,
                job_role=applicant.job_role or JobRole.CLASS_TEACHER,
                approver_email=f"head-{school['urn']}@{SYNTHETIC_DOMAIN}",
                statement=step_rng.choice(STATEMENTS),
                path=path,
                times=_times(step_rng, offering, path, now=now),
                actors=_actors(
                    path,
                    applicant=applicant,
                    approver=None,
                    hub_staff=accounts["hub@example.org"],
                    facilitator=accounts["facilitator@example.org"],
                ),
            )
        )
    return planned, len(wanted)


@contextmanager
def planned_timestamps(*fields):
    """Let bulk_create write these auto_now(_add) fields as planned, not as the time of loading.

    The switch is process-wide while it lasts: use it only in a loader, never in a web process.
    """
    saved = [(each, each.auto_now, each.auto_now_add) for each in fields]
    for each in fields:
        each.auto_now = each.auto_now_add = False
    try:
        yield
    finally:
        for each, auto_now, auto_now_add in saved:
            each.auto_now, each.auto_now_add = auto_now, auto_now_add


def _create_applications(planned: Iterable[PlannedApplication]) -> int:
    """Create the applications not made before, each with its history, in a few queries."""
    planned = list(planned)
    applicant_ids = {plan.applicant.pk for plan in planned}
    made = set(
        Application.objects.filter(applicant_id__in=applicant_ids).values_list(
            "applicant_id", "offering_id"
        )
    )
    todo = [plan for plan in planned if (plan.applicant.pk, plan.offering.pk) not in made]
    applications = []
    for plan in todo:
        state = plan.path[-1]
        submitted_at = plan.times[0]
        last = plan.times[-1]
        waitlisted = [
            moment
            for moment, step in zip(plan.times, plan.path, strict=True)
            if step == State.WAITLISTED
        ]
        applications.append(
            Application(
                offering=plan.offering,
                applicant=plan.applicant,
                school_id=plan.school_id,
                job_role=plan.job_role,
                statement=plan.statement,
                approver_email=plan.approver_email,
                state=state,
                # Released (or straight to the hub): the school vouched for the teacher.
                school_confirmed=State.SUBMITTED in plan.path,
                state_reason=plan.actors[-1][2] if len(plan.path) > 1 else "",
                submitted_at=submitted_at,
                approval_due_at=(
                    submitted_at + datetime.timedelta(days=settings.SCHOOL_APPROVAL_DAYS)
                    if plan.path[0] == State.AWAITING_SCHOOL_APPROVAL
                    else None
                ),
                waitlisted_at=waitlisted[0] if waitlisted else None,
                offer_expires_at=(
                    last + datetime.timedelta(days=settings.WAITLIST_OFFER_DAYS)
                    if state == State.PLACE_OFFERED
                    else None
                ),
                updated_at=last,
            )
        )
    transitions = []
    for plan, application in zip(todo, applications, strict=True):
        previous = ""
        for state, moment, (by, by_label, reason) in zip(
            plan.path, plan.times, plan.actors, strict=True
        ):
            transitions.append(
                Transition(
                    application=application,
                    from_state=previous,
                    to_state=state,
                    by=by,
                    by_label=by_label,
                    reason=reason,
                    created_at=moment,
                )
            )
            previous = state
    with planned_timestamps(
        Application._meta.get_field("submitted_at"),
        Application._meta.get_field("updated_at"),
        Transition._meta.get_field("created_at"),
    ):
        Application.objects.bulk_create(applications, batch_size=500)
        Transition.objects.bulk_create(transitions, batch_size=500)
    _record_affiliations(applications)
    return len(applications)


def _record_affiliations(applications: list[Application]) -> None:
    """Each applicant's claim to work at their school, confirmed where the school released
    them, with its history row."""
    confirmed: dict[tuple[int, int], bool] = {}
    for application in applications:
        key = (application.applicant_id, application.school_id)
        confirmed[key] = confirmed.get(key, False) or application.school_confirmed
    known = set(
        Affiliation.objects.filter(
            person_id__in={person for person, _school in confirmed}
        ).values_list("person_id", "school_id")
    )
    Affiliation.objects.bulk_create(
        [
            Affiliation(
                person_id=person,
                school_id=school,
                state=AffiliationState.CONFIRMED if is_confirmed else AffiliationState.CLAIMED,
            )
            for (person, school), is_confirmed in confirmed.items()
            if (person, school) not in known
        ],
        batch_size=500,
    )
    new = Affiliation.objects.filter(
        person_id__in={person for person, _school in confirmed}, history__isnull=True
    )
    AffiliationChange.objects.bulk_create(
        [
            AffiliationChange(
                affiliation_id=pk,
                to_state=state,
                by_label="cpdnet",
                reason="Demo data" if state == AffiliationState.CLAIMED else "Released: demo data",
            )
            for pk, state in new.values_list("pk", "state")
        ],
        batch_size=500,
    )


# --- sessions -------------------------------------------------------------------------------

# Demo session UIDs are derived from the offering's natural key and the session's number, so a
# reload finds the sessions it made before (the key survives a re-created database row id).
SESSION_NAMESPACE = uuid.UUID("6f0b7a52-5d1e-4a0f-9a51-4c8d7f0c2e11")
DEMO_MEETING = "https://meet.example.org/demo/"
DEMO_RECORDING = "https://video.example.org/demo/"
# (hour, minute) start and length in minutes of each kind's sessions, UK time.
SESSION_TIMES = {
    Kind.WEBINAR: ((16, 0), 60),
    Kind.WORK_GROUP: ((16, 0), 120),
    Kind.COURSE: ((13, 30), 150),
    Kind.RESIDENTIAL: ((9, 30), 420),
    Kind.ACCREDITATION: ((9, 30), 360),
}


@dataclass
class PlannedSession:
    uid: uuid.UUID
    starts_at: datetime.datetime
    minutes: int
    title: str
    mode: str
    is_live: bool = False  # the demo teacher's session whose join link is out now
    is_cancelled: bool = False


def load_demo_sessions(*, now: datetime.datetime | None = None) -> dict:
    """Give every demo offering its sessions; the demo teacher's current place has two past
    sessions with recordings, one starting within the hour (its join link released) and more
    to come. Safe to run again: only the teacher's live session moves, to stay within the hour."""
    now = (now or timezone.now()).replace(second=0, microsecond=0)
    with PROGRAMMES_CSV.open(encoding="utf-8") as file:
        slugs = [row["slug"] for row in csv.DictReader(file)]
    offerings = list(
        Offering.objects.filter(programme__slug__in=slugs)
        .select_related("programme", "hub", "provider")
        .order_by("pk")
    )
    live_ids = set(
        Application.objects.filter(
            applicant__email="teacher@example.org", state=State.ACCEPTED
        ).values_list("offering_id", flat=True)
    )
    existing = {
        session.uid: session
        for session in Session.objects.filter(offering__in=offerings).only(
            "pk", "uid", "starts_at", "ends_at"
        )
    }
    new, moved = [], []
    for offering in offerings:
        for plan in _plan_sessions(offering, live=offering.pk in live_ids, now=now):
            session = existing.get(plan.uid)
            if session is None:
                new.append(_demo_session(offering, plan, now=now))
            elif plan.is_live and session.starts_at != plan.starts_at:
                session.starts_at = plan.starts_at
                session.ends_at = plan.starts_at + datetime.timedelta(minutes=plan.minutes)
                session.join_link_released_at = session.reminder_sent_at = None
                moved.append(session)
    Session.objects.bulk_create(new, batch_size=500)
    Session.objects.bulk_update(
        moved, ["starts_at", "ends_at", "join_link_released_at", "reminder_sent_at"]
    )
    return {"sessions": len(existing) + len(new), "sessions_created": len(new)}


def _session_uid(offering: Offering, number: int) -> uuid.UUID:
    key = ":".join(
        map(
            str,
            (
                offering.programme.slug,
                offering.provider.slug,  # a hub's provider has the hub's slug
                offering.academic_year,
                offering.cohort_name,
                number,
            ),
        )
    )
    return uuid.uuid5(SESSION_NAMESPACE, key)


def _plan_sessions(
    offering: Offering, *, live: bool, now: datetime.datetime
) -> list[PlannedSession]:
    kind = offering.programme.kind
    (hour, minute), minutes = SESSION_TIMES.get(kind, SESSION_TIMES[Kind.WORK_GROUP])
    count = max(offering.planned_sessions, 1)
    mode = offering.mode
    if live and mode == Mode.FACE_TO_FACE:
        mode = Mode.BLENDED  # the teacher's sessions show a join link and recordings
    if live:
        # Two past sessions, the live one, then fortnightly: around today, whatever the dates.
        count = max(count, 4)
        today = timezone.localdate(now, LONDON)
        days = [today - datetime.timedelta(days=28), today - datetime.timedelta(days=14)]
        days += [today + datetime.timedelta(days=14 * step) for step in range(count - 2)]
    else:
        span = (offering.ends_on - offering.starts_on).days
        step = span / (count - 1) if count > 1 else 0
        days = [offering.starts_on + datetime.timedelta(days=round(step * n)) for n in range(count)]
        if kind == Kind.RESIDENTIAL:
            days = [offering.starts_on + datetime.timedelta(days=n) for n in range(count)]
        else:
            days = [school_day(day) for day in days]
    plans = []
    for number, day in enumerate(days, start=1):
        starts_at = datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=LONDON)
        is_live = live and number == 3
        if is_live:
            # Starts within the hour, so its join link is out now (the release window).
            starts_at = now + datetime.timedelta(minutes=30)
        plans.append(
            PlannedSession(
                uid=_session_uid(offering, number),
                starts_at=starts_at,
                minutes=90 if is_live else minutes,
                title=f"Session {number}" if count > 1 else "",
                mode=mode,
                is_live=is_live,
            )
        )
    if live:
        # And one cancelled, to show how a cancellation looks.
        last = plans[-1].starts_at + datetime.timedelta(days=14)
        plans.append(
            PlannedSession(
                uid=_session_uid(offering, count + 1),
                starts_at=last,
                minutes=minutes,
                title=f"Session {count + 1}",
                mode=mode,
                is_cancelled=True,
            )
        )
    return plans


def _demo_session(offering: Offering, plan: PlannedSession, *, now: datetime.datetime) -> Session:
    ends_at = plan.starts_at + datetime.timedelta(minutes=plan.minutes)
    online = plan.mode != Mode.FACE_TO_FACE
    over = ends_at <= now
    session = Session(
        offering=offering,
        uid=plan.uid,
        title=plan.title,
        starts_at=plan.starts_at,
        ends_at=ends_at,
        mode=plan.mode,
        venue=offering.venue,
        join_url=f"{DEMO_MEETING}{plan.uid.hex[:12]}" if online else "",
    )
    if over:
        # Over before the demo was loaded: mark its emails as sent, so that a worker
        # started on the demo does not send months of them at once.
        session.join_link_released_at = plan.starts_at - datetime.timedelta(hours=1)
        session.reminder_sent_at = plan.starts_at - datetime.timedelta(days=1)
        if online:
            session.recording_url = f"{DEMO_RECORDING}{plan.uid.hex[:12]}"
            session.recording_sent_at = ends_at + datetime.timedelta(hours=2)
    if plan.is_cancelled:
        session.cancelled_at = now
        session.cancellation_reason = "The facilitator is unwell; the hub will set a new date."
        session.sequence = 1
    return session
