"""Made-up activity over the real schools register, for insights at national scale.

`generate_activity` adds teachers, offerings with sessions, applications, attendance, start and
end surveys and cascade records to the schools, hubs and programmes that `cpdnet load-demo`
loads, so that the reach, equity and impact pages can be tried and timed on the volumes a
national network has. Everything it makes is traceable to the reserved email domain
`activity.example.org`: teachers and facilitators have addresses there, generated offerings
are run by a generated facilitator, and every other generated row hangs off one of those.
`delete_activity` removes exactly those rows.

The engagement model (see docs/activity.md) gives each open state-funded school, network and
year a probability of taking part from a logistic model: a network base rate growing year on
year, a modest disadvantage gradient by national % FSM quintile, phase, distance from the hub,
and random hub, local authority and school effects; some schools never take part. Random
draws come from generators seeded by the seed and the hub, year or school they are for, so the
same seed gives the same rows whatever else is in the database.

Rows are written in batches of plain INSERTs with explicit primary keys (no query per row, no
round trip for ids), one transaction per hub and year, so memory stays flat however big the run.
"""

import datetime
import math
import random
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.models.deletion import get_candidate_relations_to_delete
from django.utils import timezone

from cpdnet.accounts.models import JobRole, Role, RoleAssignment, User
from cpdnet.applications.models import PARTICIPATING, Application, State
from cpdnet.delivery.models import Attendance, AttendanceStatus, Cascade
from cpdnet.evaluation.models import Answer, Question, QuestionCategory, SurveyKind, SurveyResponse
from cpdnet.hubs.directory import get_hub_directory
from cpdnet.hubs.models import Hub
from cpdnet.insights.engagement import rebuild_engagement
from cpdnet.programmes.academic_years import academic_year_of
from cpdnet.programmes.demo import planned_timestamps, school_day
from cpdnet.programmes.models import SCHOOL_PHASES, Kind, Mode, Offering, Phase, Programme, Session
from cpdnet.schools.models import School, SchoolStatus

DOMAIN = "activity.example.org"
LONDON = ZoneInfo("Europe/London")

# --- the engagement model (log-odds); docs/activity.md explains the choices ------------------

# First-year rate before the other effects: maths hubs reach more schools than the science
# partnerships.
BASE_LOG_ODDS = {"maths": -0.2, "science": -0.75}
DEFAULT_BASE_LOG_ODDS = -0.9
GROWTH_PER_YEAR = 0.15
# Q1 is the least disadvantaged fifth of schools by % FSM, Q5 the most: a modest gradient.
QUINTILE_EFFECT = {1: 0.0, 2: -0.1, 3: -0.2, 4: -0.32, 5: -0.45}
PHASE_EFFECT = {
    "Primary": 0.0,
    "Middle deemed primary": 0.0,
    "Middle deemed secondary": 0.35,
    "Secondary": 0.45,
    "All-through": 0.3,
    "16 plus": -0.2,
    "Nursery": -0.9,
    "Not applicable": -0.8,
}
UNKNOWN_PHASE_EFFECT = -1.0
# Farther from the hub's lead school, less take-up (stands in for rural and coastal places,
# which the register extract does not mark).
DISTANCE_FREE_KM = 15
DISTANCE_EFFECT_PER_10_KM = -0.12
DISTANCE_EFFECT_FLOOR = -0.6
HUB_SD = 0.35
LOCAL_AUTHORITY_SD = 0.2
SCHOOL_SD = 0.7
NEVER_ENGAGED_SHARE = 0.12

# Staff per pupil and the share of each job role among them, by broad phase.
PUPILS_PER_TEACHER = 14.5
ROLES = list(JobRole.values)
ROLE_WEIGHTS = {
    "primary": {
        JobRole.CLASS_TEACHER: 62,
        JobRole.EARLY_CAREER_TEACHER: 10,
        JobRole.SUBJECT_LEAD: 8,
        JobRole.SENIOR_LEADER: 6,
        JobRole.TEACHING_ASSISTANT: 10,
        JobRole.EARLY_YEARS_PRACTITIONER: 4,
    },
    "secondary": {
        JobRole.CLASS_TEACHER: 64,
        JobRole.EARLY_CAREER_TEACHER: 10,
        JobRole.NON_SPECIALIST: 7,
        JobRole.SUBJECT_LEAD: 10,
        JobRole.SENIOR_LEADER: 5,
        JobRole.TEACHING_ASSISTANT: 4,
    },
}
FIRST_NAMES = [
    "Alex",
    "Bailey",
    "Casey",
    "Dana",
    "Eden",
    "Frankie",
    "Gale",
    "Harper",
    "Indy",
    "Jordan",
    "Kai",
    "Logan",
    "Morgan",
    "Noor",
    "Oakley",
    "Parker",
    "Quinn",
    "Riley",
    "Sage",
    "Taylor",
    "Umar",
    "Vic",
    "Wren",
    "Yael",
    "Zed",
]
LAST_NAMES = [
    "Archer",
    "Baker",
    "Carter",
    "Dawson",
    "Ellis",
    "Foster",
    "Gray",
    "Hayes",
    "Irving",
    "James",
    "Kerr",
    "Lane",
    "Marsh",
    "Nash",
    "Owen",
    "Price",
    "Reed",
    "Stone",
    "Tate",
    "Vale",
    "Webb",
    "Yates",
]

# How the year's applications of an engaged school are drawn (Poisson means).
WORK_PLACES_BASE = 0.5
WORK_PLACES_PER_TEACHER = 1 / 12
WEBINAR_PLACES_PER_TEACHER = 0.8
KIND_WEIGHT = {
    Kind.WORK_GROUP: 6.0,
    Kind.COURSE: 3.0,
    Kind.RESIDENTIAL: 0.6,
    Kind.ACCREDITATION: 0.25,
}
START_SURVEY_SHARE = 0.55
END_SURVEY_SHARE = {State.COMPLETED: 0.5, State.NOT_COMPLETED: 0.15}
CASCADE_SHARE = {State.COMPLETED: 0.6, State.NOT_COMPLETED: 0.15}
OPEN_ANSWER_SHARE = 0.3
OPEN_ANSWERS = (
    "Helping pupils explain their reasoning.",
    "Using representations more consistently.",
    "Planning small steps for the whole class.",
    "Asking better questions.",
    "Giving pupils time to talk about ideas.",
)
YEAR_GROUPS = {
    "EYFS": ["Reception"],
    "KS1": ["Year 1", "Year 2"],
    "KS2": ["Year 3", "Year 4", "Year 5", "Year 6"],
    "KS3": ["Year 7", "Year 8", "Year 9"],
    "KS4": ["Year 10", "Year 11"],
    "KS5": ["Year 12", "Year 13"],
}


@dataclass(frozen=True)
class Scale:
    """How much to make: staff per school and demand, over every hub or a few."""

    name: str
    staff_factor: float  # multiplies the staff a school's pupils imply
    max_staff: int | None
    demand: float  # multiplies the applications an engaged school makes
    hubs_per_network: int | None  # None: every hub


SCALES = {
    "small": Scale("small", 0.1, 6, 0.15, 1),
    "medium": Scale("medium", 0.25, None, 0.25, None),
    "national": Scale("national", 1.0, None, 1.0, None),
}


class ActivityError(Exception):
    """The activity cannot be generated or deleted; the message says why in plain English."""


@dataclass
class Summary:
    counts: Counter = field(default_factory=Counter)
    seconds: float = 0.0
    questions: int = 0
    deleted: int = 0
    rollup_rows: int = 0  # rows of the engagement rollup rebuilt at the end
    rollup_seconds: float = 0.0


@dataclass
class SchoolPlan:
    urn: int
    phase: str
    phases: frozenset
    la_code: str
    quintile: int | None
    easting: int | None
    northing: int | None
    first_teacher_id: int
    roles: bytes  # one index into ROLES per teacher
    effect: float  # the school's own random effect (log-odds)
    never: bool

    @property
    def staff(self) -> int:
        return len(self.roles)


@dataclass
class Unit:
    """The work of one transaction: one hub in one academic year."""

    hub: Hub
    year: int
    schools: list[SchoolPlan]
    programmes: list[Programme]


class Ids:
    """The next free primary key of each table, so rows can point at rows not yet written."""

    def __init__(self, *models_: type[models.Model]):
        self._next = {
            model: (model.objects.aggregate(top=models.Max("pk"))["top"] or 0) + 1
            for model in models_
        }

    def take(self, model: type[models.Model], count: int = 1) -> int:
        """Reserve `count` consecutive keys and return the first."""
        value = self._next[model]
        self._next[model] = value + count
        return value


def _rng(*parts: object) -> random.Random:
    """A generator seeded by its parts, so the same parts always draw the same numbers."""
    return random.Random(":".join(map(str, parts)))  # noqa: S311 - made-up data, not secrets


def _poisson(rng: random.Random, mean: float) -> int:
    if mean <= 0:
        return 0
    if mean > 30:  # normal approximation: Knuth's loop gets slow and underflows
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def _logistic(log_odds: float) -> float:
    return 1 / (1 + math.exp(-log_odds))


def generated_users() -> models.QuerySet:
    return User.objects.filter(email__endswith=f"@{DOMAIN}")


# --- entry points ---------------------------------------------------------------------------


def generate_activity(
    *,
    years: int,
    scale: str,
    seed: int,
    batch_size: int = 2000,
    replace: bool = False,
    now: datetime.datetime | None = None,
    progress: Callable[[int], None] | None = None,
    set_total: Callable[[int], None] | None = None,
) -> Summary:
    """Generate `years` academic years of activity up to this one; see the module docstring."""
    if years < 1 or years > 20:
        raise ActivityError("--years must be between 1 and 20.")
    if batch_size < 1:
        raise ActivityError("--batch-size must be at least 1.")
    if scale not in SCALES:
        raise ActivityError(f"--scale must be one of {', '.join(SCALES)}, not {scale!r}.")
    started = time.monotonic()
    now = now or timezone.now()
    summary = Summary()
    already = generated_users().count()
    if already and not replace:
        raise ActivityError(
            f"Generated activity is already in the database ({already} people at @{DOMAIN}). "
            "Run again with --replace to delete it and generate it anew."
        )
    # Loaded first, so that a world that cannot be made leaves the old activity in place.
    world = _World.load(scale=SCALES[scale], seed=seed, years=years, now=now)
    if already:
        summary.deleted = delete_activity()
    questions = list(Question.objects.filter(programme__isnull=True, is_active=True))
    summary.questions = len(questions)
    writer = _Writer(batch_size=batch_size, counts=summary.counts)
    if set_total:
        set_total(len(world.schools) + len(world.units))
    with planned_timestamps(*_TIMESTAMP_FIELDS):
        _write_people(world, writer, progress)
        for unit in world.units:
            with transaction.atomic():
                _write_unit(world, unit, questions, writer)
            if progress:
                progress(1)
    _reset_sequences()
    # The rows went in with bulk inserts, which send no signals: rebuild the rollup from them.
    rollup_started = time.monotonic()
    summary.rollup_rows = rebuild_engagement()
    summary.rollup_seconds = time.monotonic() - rollup_started
    _analyze()
    summary.seconds = time.monotonic() - started
    return summary


def delete_activity() -> int:
    """Delete every generated row and nothing else; return how many people went."""
    with transaction.atomic():
        people = generated_users().count()
        _delete_rows(Application, Application.objects.filter(applicant__in=generated_users()))
        generated_offerings = Offering.objects.filter(facilitator__in=generated_users())
        _delete_rows(Offering, generated_offerings)
        _delete_rows(User, generated_users())
        rebuild_engagement()
    return people


def _delete_rows(model: type[models.Model], rows: models.QuerySet) -> None:
    """Delete rows and what cascades from them with set-based SQL, never loading them.

    Django's own delete() collects every row in memory to cascade; at national scale that is
    millions of objects, so this walks the same relations and deletes leaf tables first.
    """
    for relation in get_candidate_relations_to_delete(model._meta):
        on_delete = relation.on_delete
        if on_delete is models.DO_NOTHING:
            continue
        related = relation.related_model._base_manager.filter(
            **{f"{relation.field.name}__in": rows.values("pk")}
        )
        if on_delete is models.CASCADE:
            _delete_rows(relation.related_model, related)
        elif on_delete is models.SET_NULL:
            related.update(**{relation.field.name: None})
        elif related.exists():
            raise ActivityError(
                f"Cannot delete the generated {model._meta.verbose_name_plural}: some "
                f"{relation.related_model._meta.verbose_name_plural} that were not generated "
                "refer to them. Delete those first."
            )
    rows._raw_delete(rows.db)


# --- the world the activity is made in ------------------------------------------------------


@dataclass
class _World:
    scale: Scale
    seed: int
    now: datetime.datetime
    years: list[int]
    schools: list[SchoolPlan]
    units: list[Unit]
    facilitators: dict[int, list[int]]  # hub id -> user ids
    hub_effects: dict[int, float]
    la_effects: dict[str, float]
    hub_centres: dict[int, tuple[float, float] | None]
    ids: Ids

    @classmethod
    def load(cls, *, scale: Scale, seed: int, years: int, now: datetime.datetime) -> "_World":
        current = academic_year_of(timezone.localdate(now, LONDON))
        year_list = list(range(current - years + 1, current + 1))
        # A hub's own local design runs only in that hub, so it is left out of activity
        # generated across every hub.
        programmes = list(
            Programme.objects.filter(is_active=True, designed_by_hub__isnull=True).order_by("slug")
        )
        if not programmes:
            raise ActivityError("There are no programmes: run `cpdnet load-demo` first.")
        directory = get_hub_directory()
        rows = list(
            School.objects.filter(status__in=SchoolStatus.open_values(), is_state_funded=True)
            .order_by("urn")
            .values_list(
                "urn",
                "phase",
                "la_code",
                "district_code",
                "pupils",
                "percentage_fsm",
                "easting",
                "northing",
            )
        )
        if not rows:
            raise ActivityError(
                "There are no open state-funded schools: run `cpdnet load-demo` first."
            )
        hubs = {hub.pk: hub for hub in Hub.objects.select_related("network", "lead_school")}
        by_network: dict[int, list[Programme]] = defaultdict(list)
        for programme in programmes:
            by_network[programme.network_id].append(programme)
        chosen_hubs = _choose_hubs(hubs.values(), by_network, scale)
        quintiles = _quintiles([row[5] for row in rows])
        ids = Ids(*_Writer.ORDER)
        school_hubs: dict[int, list[SchoolPlan]] = defaultdict(list)
        schools = []
        for urn, phase, la_code, district, pupils, fsm, easting, northing in rows:
            served = directory.hubs_for(la_code, district, urn)
            hub_ids = [hub.pk for hub in served.values() if hub.pk in chosen_hubs]
            if not hub_ids:
                continue
            rng = _rng(seed, "school", urn)
            staff = _staff(rng, scale, pupils)
            roles = bytes(_role_index(rng, phase) for _ in range(staff))
            school = SchoolPlan(
                urn=urn,
                phase=phase,
                phases=frozenset(SCHOOL_PHASES.get(phase, ())),
                la_code=la_code,
                quintile=quintiles.get(fsm),
                easting=easting,
                northing=northing,
                first_teacher_id=0,
                roles=roles,
                effect=rng.gauss(0, SCHOOL_SD),
                never=rng.random() < NEVER_ENGAGED_SHARE,
            )
            school.first_teacher_id = ids.take(User, staff)
            schools.append(school)
            for hub_id in hub_ids:
                school_hubs[hub_id].append(school)
        if not schools:
            raise ActivityError("No open state-funded school is served by a hub.")
        facilitators = {}
        for hub_id in sorted(chosen_hubs, key=lambda pk: hubs[pk].slug):
            facilitators[hub_id] = [ids.take(User) for _ in range(3)]
        units = [
            Unit(hubs[hub_id], year, school_hubs[hub_id], by_network[hubs[hub_id].network_id])
            for hub_id in sorted(chosen_hubs, key=lambda pk: hubs[pk].slug)
            for year in year_list
            if school_hubs[hub_id]
        ]
        return cls(
            scale=scale,
            seed=seed,
            now=now,
            years=year_list,
            schools=schools,
            units=units,
            facilitators=facilitators,
            hub_effects={
                pk: _rng(seed, "hub", hubs[pk].slug).gauss(0, HUB_SD) for pk in chosen_hubs
            },
            la_effects={
                la: _rng(seed, "la", la).gauss(0, LOCAL_AUTHORITY_SD)
                for la in {school.la_code for school in schools}
            },
            hub_centres={pk: _hub_centre(hubs[pk], school_hubs[pk]) for pk in chosen_hubs},
            ids=ids,
        )

    def engagement(self, school: SchoolPlan, unit: Unit) -> float:
        """The probability that the school takes part in the hub's offer that year."""
        if school.never:
            return 0.0
        log_odds = (
            BASE_LOG_ODDS.get(unit.hub.network.slug, DEFAULT_BASE_LOG_ODDS)
            + GROWTH_PER_YEAR * (unit.year - self.years[0])
            + QUINTILE_EFFECT.get(school.quintile, QUINTILE_EFFECT[3])
            + PHASE_EFFECT.get(school.phase, UNKNOWN_PHASE_EFFECT)
            + _distance_effect(school, self.hub_centres[unit.hub.pk])
            + self.hub_effects[unit.hub.pk]
            + self.la_effects[school.la_code]
            + school.effect
        )
        return _logistic(log_odds)


def _choose_hubs(hubs, by_network, scale: Scale) -> set[int]:
    """Every hub of a network with programmes, or its first few (the demo hub first)."""
    chosen = set()
    per_network: dict[int, list[Hub]] = defaultdict(list)
    for hub in sorted(hubs, key=lambda hub: (hub.slug != "west-yorkshire-maths-hub", hub.slug)):
        if by_network.get(hub.network_id):
            per_network[hub.network_id].append(hub)
    for network_hubs in per_network.values():
        chosen.update(hub.pk for hub in network_hubs[: scale.hubs_per_network])
    return chosen


def _quintiles(values) -> dict:
    """National quintile (1 least disadvantaged .. 5 most) of each known % FSM value."""
    known = sorted(value for value in values if value is not None)
    if not known:
        return {}
    cuts = [
        known[min(len(known) - 1, math.ceil(len(known) * share / 5) - 1)] for share in range(1, 5)
    ]
    result = {}
    for value in set(known):
        result[value] = 1 + sum(value > cut for cut in cuts)
    return result


def _staff(rng: random.Random, scale: Scale, pupils: int | None) -> int:
    implied = (pupils or 180) / PUPILS_PER_TEACHER + 2 + rng.uniform(-1, 1)
    staff = max(2, round(implied * scale.staff_factor))
    return min(staff, scale.max_staff) if scale.max_staff else staff


def _role_index(rng: random.Random, phase: str) -> int:
    weights = ROLE_WEIGHTS["secondary" if phase in ("Secondary", "16 plus") else "primary"]
    role = rng.choices(list(weights), list(weights.values()))[0]
    return ROLES.index(role)


def _hub_centre(hub: Hub, schools: list[SchoolPlan]) -> tuple[float, float] | None:
    lead = hub.lead_school
    if lead and lead.easting and lead.northing:
        return float(lead.easting), float(lead.northing)
    located = [school for school in schools if school.easting and school.northing]
    if not located:
        return None
    return (
        sum(school.easting for school in located) / len(located),
        sum(school.northing for school in located) / len(located),
    )


def _distance_effect(school: SchoolPlan, centre: tuple[float, float] | None) -> float:
    if centre is None or not school.easting or not school.northing:
        return 0.0
    km = math.hypot(school.easting - centre[0], school.northing - centre[1]) / 1000
    beyond = max(0.0, km - DISTANCE_FREE_KM)
    return max(DISTANCE_EFFECT_FLOOR, DISTANCE_EFFECT_PER_10_KM * beyond / 10)


# --- writing --------------------------------------------------------------------------------

_TIMESTAMP_FIELDS = (
    Offering._meta.get_field("created_at"),
    Offering._meta.get_field("updated_at"),
    Session._meta.get_field("created_at"),
    Session._meta.get_field("updated_at"),
    Application._meta.get_field("submitted_at"),
    Application._meta.get_field("updated_at"),
    Attendance._meta.get_field("recorded_at"),
    Attendance._meta.get_field("updated_at"),
    SurveyResponse._meta.get_field("submitted_at"),
    Cascade._meta.get_field("updated_at"),
)


class _Writer:
    """Collects rows per model and writes them with bulk_create, batch by batch."""

    ORDER = (
        User,
        RoleAssignment,
        Offering,
        Session,
        Application,
        Attendance,
        SurveyResponse,
        Answer,
        Cascade,
    )

    def __init__(self, *, batch_size: int, counts: Counter):
        self.batch_size = batch_size
        self.counts = counts
        self.pending: dict[type[models.Model], list] = defaultdict(list)

    def add(self, instance: models.Model) -> None:
        self.pending[type(instance)].append(instance)

    def flush(self) -> None:
        for model in self.ORDER:
            rows = self.pending.pop(model, [])
            for start in range(0, len(rows), self.batch_size):
                _insert(model, rows[start : start + self.batch_size])
            self.counts[model._meta.label] += len(rows)


# Column types whose Python values the database driver cannot take as they are.
_ADAPTED_TYPES = {"DateTimeField", "DateField", "UUIDField", "DecimalField"}


def _insert(model: type[models.Model], rows: list[models.Model]) -> None:
    """INSERT the rows, keys included, with one executemany.

    What bulk_create writes, without its per-value SQL compilation, which is four fifths of
    its time here: the statement is built once per model and only dates, times and UUIDs are
    adapted for the database.
    """
    columns = list(model._meta.concrete_fields)
    quote = connection.ops.quote_name
    placeholders = ", ".join(["%s"] * len(columns))
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 - names from the models
        quote(model._meta.db_table),
        ", ".join(quote(column.column) for column in columns),
        placeholders,
    )
    # auto_now(_add) fields not switched off by planned_timestamps take the time now.
    stamped = [
        column
        for column in columns
        if getattr(column, "auto_now_add", False) or getattr(column, "auto_now", False)
    ]
    for row in rows:
        for column in stamped:
            column.pre_save(row, add=True)
    adapters = [
        (lambda value, column=column: column.get_db_prep_save(value, connection))
        if column.get_internal_type() in _ADAPTED_TYPES
        else None
        for column in columns
    ]
    attnames = [column.attname for column in columns]
    params = [
        [
            adapt(getattr(row, name)) if adapt else getattr(row, name)
            for name, adapt in zip(attnames, adapters, strict=True)
        ]
        for row in rows
    ]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            # SQLite runs executemany in C, faster than a long statement (and has a low limit
            # on parameters per statement).
            cursor.executemany(sql, params)
        else:
            # One statement for the batch: PostgreSQL would otherwise answer row by row.
            cursor.execute(
                sql + f", ({placeholders})" * (len(params) - 1),
                [value for row in params for value in row],
            )


def _write_people(world: _World, writer: _Writer, progress) -> None:
    """Every teacher of every school (a transaction per batch), and each hub's facilitators."""
    created = world.now - datetime.timedelta(days=365 * len(world.years))
    pending = 0
    for school in world.schools:
        rng = _rng(world.seed, "names", school.urn)
        for index, role in enumerate(school.roles):
            writer.add(
                User(
                    pk=school.first_teacher_id + index,
                    email=f"t{school.urn}-{index + 1}@{DOMAIN}",
                    full_name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                    password="!generated",  # noqa: S106 - unusable: generated people never sign in
                    school_id=school.urn,
                    job_role=ROLES[role],
                    created_at=created,
                )
            )
        pending += school.staff
        if progress:
            progress(1)
        if pending >= writer.batch_size:
            with transaction.atomic():
                writer.flush()
            pending = 0
    for hub_id, user_ids in world.facilitators.items():
        for number, user_id in enumerate(user_ids, start=1):
            writer.add(
                User(
                    pk=user_id,
                    email=f"facilitator{number}-hub{hub_id}@{DOMAIN}",
                    full_name=f"Facilitator {number} (generated)",
                    password="!generated",  # noqa: S106 - unusable, as above
                    job_role=JobRole.SUBJECT_LEAD,
                    created_at=created,
                )
            )
            writer.add(
                RoleAssignment(
                    pk=world.ids.take(RoleAssignment),
                    user_id=user_id,
                    role=Role.FACILITATOR,
                    hub_id=hub_id,
                )
            )
    with transaction.atomic():
        writer.flush()


def _matches(programme: Programme, school: SchoolPlan) -> bool:
    return programme.phase == Phase.ALL or programme.phase in school.phases


def _pick_teacher(rng: random.Random, school: SchoolPlan, programme: Programme) -> int:
    """A member of staff, preferring one of the job roles the programme is for."""
    audience = set(programme.audience_roles)
    index = rng.randrange(school.staff)
    for _ in range(4):
        if not audience or ROLES[school.roles[index]] in audience:
            break
        index = rng.randrange(school.staff)
    return school.first_teacher_id + index


def _demand(world: _World, unit: Unit, rng: random.Random) -> dict[Programme, list[tuple]]:
    """Which staff of which schools apply for each programme the hub runs that year."""
    wanted: dict[Programme, list[tuple[SchoolPlan, int]]] = defaultdict(list)
    for school in unit.schools:
        if rng.random() >= world.engagement(school, unit):
            continue
        matching = [programme for programme in unit.programmes if _matches(programme, school)]
        work = [programme for programme in matching if programme.kind != Kind.WEBINAR]
        webinars = [programme for programme in matching if programme.kind == Kind.WEBINAR]
        demand = world.scale.demand
        places = []
        if work:
            count = 1 + _poisson(
                rng, demand * (WORK_PLACES_BASE + school.staff * WORK_PLACES_PER_TEACHER)
            )
            weights = [KIND_WEIGHT.get(programme.kind, 1.0) for programme in work]
            places += rng.choices(work, weights, k=count)
        if webinars:
            count = _poisson(rng, demand * school.staff * WEBINAR_PLACES_PER_TEACHER)
            places += [rng.choice(webinars) for _ in range(count)]
        taken = set()
        for programme in places:
            teacher = _pick_teacher(rng, school, programme)
            if (teacher, programme.pk) not in taken:
                taken.add((teacher, programme.pk))
                wanted[programme].append((school, teacher))
    return wanted


def _write_unit(world: _World, unit: Unit, questions: list[Question], writer: _Writer) -> None:
    rng = _rng(world.seed, unit.hub.slug, unit.year)
    for programme, applicants in _demand(world, unit, rng).items():
        capacity = _capacity(rng, programme.kind)
        cohorts = max(1, math.ceil(len(applicants) / capacity))
        for number in range(cohorts):
            offering = _offering(world, unit, programme, rng, number, capacity)
            sessions = _sessions(world, offering, programme, rng)
            writer.add(offering)
            for session in sessions:
                writer.add(session)
            participants = _applications(
                world, offering, sessions, applicants[number::cohorts], rng, writer
            )
            offering.capacity = max(capacity, len(participants))
            _follow_up(world, offering, sessions, participants, questions, rng, writer)
    writer.flush()


def _capacity(rng: random.Random, kind: str) -> int:
    if kind == Kind.WEBINAR:
        return 500
    if kind == Kind.RESIDENTIAL:
        return rng.choice([40, 48, 60])
    if kind == Kind.ACCREDITATION:
        return rng.randint(8, 12)
    if kind == Kind.COURSE:
        return rng.randint(16, 30)
    return rng.randint(8, 20)


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=LONDON)


def _offering(
    world: _World, unit: Unit, programme: Programme, rng: random.Random, number: int, capacity
) -> Offering:
    kind = programme.kind
    year_start, year_end = datetime.date(unit.year, 9, 15), datetime.date(unit.year + 1, 7, 10)
    if kind == Kind.WEBINAR:
        mode, sessions, length = Mode.ONLINE, 1, 0
        starts_on = school_day(year_start + datetime.timedelta(days=rng.randint(0, 280)))
    else:
        if kind == Kind.RESIDENTIAL:
            mode, sessions, length = Mode.FACE_TO_FACE, 2, 1
        elif kind == Kind.ACCREDITATION:
            mode, sessions, length = Mode.BLENDED, 6, 220
        elif kind == Kind.COURSE:
            mode, sessions = rng.choice([Mode.FACE_TO_FACE, Mode.ONLINE, Mode.BLENDED]), 3
            length = rng.randint(30, 120)
        else:
            mode = rng.choice([Mode.BLENDED, Mode.BLENDED, Mode.FACE_TO_FACE, Mode.ONLINE])
            sessions, length = rng.randint(3, 6), rng.randint(120, 220)
        starts_on = school_day(year_start + datetime.timedelta(days=rng.randint(0, 150)))
    ends_on = max(starts_on, min(starts_on + datetime.timedelta(days=length), year_end))
    close_day = starts_on - datetime.timedelta(days=rng.randint(7, 21))
    open_day = close_day - datetime.timedelta(days=rng.randint(28, 56))
    lead = unit.hub.lead_school
    venue = "" if mode == Mode.ONLINE or lead is None else lead.name[:200]
    created = _at(open_day, 8) - datetime.timedelta(days=30)
    return Offering(
        pk=world.ids.take(Offering),
        programme=programme,
        hub=unit.hub,
        provider_id=unit.hub.provider.pk,  # one query per hub: cached on the hub
        academic_year=unit.year,
        cohort_name=f"Cohort {number + 1}",
        facilitator_id=rng.choice(world.facilitators[unit.hub.pk]),
        capacity=capacity,
        school_capacity=capacity // 2 + 1 if programme.counts_schools else None,
        mode=mode,
        venue=venue,
        planned_sessions=sessions,
        starts_on=starts_on,
        ends_on=ends_on,
        applications_open_at=_at(open_day, 9),
        applications_close_at=_at(close_day, 17),
        local_only=kind not in (Kind.WEBINAR, Kind.RESIDENTIAL),
        requires_school_approval=kind != Kind.WEBINAR,
        created_at=created,
        updated_at=created,
    )


def _sessions(world, offering: Offering, programme: Programme, rng) -> list[Session]:
    count = offering.planned_sessions
    span = (offering.ends_on - offering.starts_on).days
    sessions = []
    for number in range(count):
        day = offering.starts_on + datetime.timedelta(days=span * number // max(1, count - 1))
        if programme.kind == Kind.RESIDENTIAL:
            day = offering.starts_on + datetime.timedelta(days=number)
        else:
            day = school_day(day)
        mode = offering.mode
        if mode == Mode.BLENDED:
            mode = Mode.FACE_TO_FACE if number in (0, count - 1) else Mode.ONLINE
        if mode == Mode.FACE_TO_FACE:
            starts_at, ends_at = _at(day, 9, 30), _at(day, 15, 30)
        else:
            starts_at, ends_at = _at(day, 16), _at(day, 17, 30)
        sessions.append(
            Session(
                pk=world.ids.take(Session),
                offering=offering,
                uid=uuid.UUID(int=rng.getrandbits(128), version=4),
                title=f"Session {number + 1}",
                starts_at=starts_at,
                ends_at=ends_at,
                mode=mode,
                venue=offering.venue if mode == Mode.FACE_TO_FACE else "",
                created_at=offering.created_at,
                updated_at=offering.created_at,
            )
        )
    return sessions


def _state_before_the_end(rng: random.Random, offering: Offering, now) -> str | None:
    """The state of an application to an offering still running or to come (None: not made)."""
    if now < offering.applications_open_at:
        return None
    draw = rng.random()
    if now < offering.applications_close_at:
        choices = (
            (0.15, State.AWAITING_SCHOOL_APPROVAL),
            (0.30, State.SUBMITTED),
            (0.32, State.DECLINED),
            (0.35, State.WITHDRAWN),
        )
    else:
        choices = ((0.05, State.DECLINED), (0.10, State.WITHDRAWN), (0.15, State.WAITLISTED))
    return next((state for limit, state in choices if draw < limit), State.ACCEPTED)


def _final_state(rng: random.Random) -> str | None:
    """The state of an application to a finished offering (None: a participant)."""
    draw = rng.random()
    choices = ((0.05, State.DECLINED), (0.11, State.WITHDRAWN), (0.13, State.WAITLISTED))
    return next((state for limit, state in choices if draw < limit), None)


def _applications(world, offering, sessions, applicants, rng, writer: _Writer) -> list[Application]:
    """Write the applications and participants' attendance; return the participants."""
    now = world.now
    finished = sessions[-1].ends_at < now
    held = [session for session in sessions if session.starts_at < now]
    programme = offering.programme
    required = min(len(sessions), programme.min_sessions_attended or len(sessions))
    participants = []
    for school, teacher in applicants:
        state = _final_state(rng) if finished else _state_before_the_end(rng, offering, now)
        if state is None and not finished:
            continue
        submitted_at = (
            offering.applications_open_at
            + (offering.applications_close_at - offering.applications_open_at) * rng.random()
        )
        submitted_at = min(submitted_at, now)
        application = Application(
            pk=world.ids.take(Application),
            offering=offering,
            applicant_id=teacher,
            school_id=school.urn,
            # Generated teachers are taken to have been confirmed by their schools.
            school_confirmed=True,
            job_role=ROLES[school.roles[teacher - school.first_teacher_id]],
            approver_email=f"head-{school.urn}@{DOMAIN}",
            state=state or State.ACCEPTED,
            submitted_at=submitted_at,
            updated_at=submitted_at,
        )
        if application.state == State.WAITLISTED:
            application.waitlisted_at = submitted_at
        if application.state == State.AWAITING_SCHOOL_APPROVAL:
            application.approval_due_at = submitted_at + datetime.timedelta(days=10)
        if application.state in PARTICIPATING:
            participants.append(application)
            attended = _attendance(world, application, offering, held, rng, writer)
            if finished:
                application.state = State.COMPLETED if attended >= required else State.NOT_COMPLETED
                application.updated_at = sessions[-1].ends_at
        writer.add(application)
    return participants


def _attendance(world, application, offering, held, rng, writer: _Writer) -> int:
    reliability = 1 - 0.25 * rng.random() ** 2
    attended = 0
    for session in held:
        if rng.random() < reliability:
            status, attended = AttendanceStatus.ATTENDED, attended + 1
        else:
            status = rng.choice([AttendanceStatus.ABSENT, AttendanceStatus.EXCUSED])
        writer.add(
            Attendance(
                pk=world.ids.take(Attendance),
                session=session,
                application=application,
                status=status,
                recorded_by_id=offering.facilitator_id,
                recorded_at=session.ends_at,
                updated_at=session.ends_at,
            )
        )
    return attended


def _follow_up(world, offering, sessions, participants, questions, rng, writer) -> None:
    """Start and end surveys and cascade records of the offering's participants."""
    if offering.programme.kind == Kind.WEBINAR:
        return
    now = world.now
    started = sessions[0].starts_at < now
    finished = sessions[-1].ends_at < now
    uplift = _rng(world.seed, "uplift", offering.programme.slug, offering.hub.slug).gauss(0, 0.1)
    for application in participants:
        baseline = rng.gauss(3.0, 0.7)
        if questions and started and rng.random() < START_SURVEY_SHARE:
            moment = min(now, sessions[0].starts_at - datetime.timedelta(days=2))
            _survey(world, application, SurveyKind.START, moment, questions, baseline, rng, writer)
        if not finished:
            continue
        if questions and rng.random() < END_SURVEY_SHARE.get(application.state, 0):
            moment = min(now, sessions[-1].ends_at + datetime.timedelta(days=3))
            change = baseline + 0.45 + uplift
            _survey(world, application, SurveyKind.END, moment, questions, change, rng, writer)
        if rng.random() < CASCADE_SHARE.get(application.state, 0):
            writer.add(_cascade(world, application, offering.programme, rng, sessions[-1]))


def _survey(world, application, kind, moment, questions, level, rng, writer: _Writer) -> None:
    response = SurveyResponse(
        pk=world.ids.take(SurveyResponse), application=application, kind=kind, submitted_at=moment
    )
    writer.add(response)
    for question in questions:
        if question.category == QuestionCategory.OPEN:
            if rng.random() < OPEN_ANSWER_SHARE:
                text = rng.choice(OPEN_ANSWERS)
                writer.add(
                    Answer(
                        pk=world.ids.take(Answer), response=response, question=question, text=text
                    )
                )
            continue
        shift = -0.1 if question.category == QuestionCategory.PRACTICE else 0.0
        score = min(5, max(1, round(level + shift + rng.gauss(0, 0.6))))
        writer.add(
            Answer(pk=world.ids.take(Answer), response=response, question=question, score=score)
        )


def _cascade(world, application, programme: Programme, rng, last: Session) -> Cascade:
    colleagues = _poisson(rng, 3.0)
    groups = [
        group
        for stage in programme.key_stages.split(",")
        for group in YEAR_GROUPS.get(stage.strip(), [])
    ]
    chosen = (
        sorted(rng.sample(groups, min(len(groups), rng.randint(1, 3))), key=groups.index)
        if groups
        else []
    )
    return Cascade(
        pk=world.ids.take(Cascade),
        application=application,
        colleagues_involved=colleagues,
        classes_reached=colleagues + _poisson(rng, 2.0),
        year_groups=", ".join(chosen),
        updated_at=min(world.now, last.ends_at + datetime.timedelta(days=14)),
    )


def _reset_sequences() -> None:
    """Move PostgreSQL's id sequences past the explicit keys written (nothing on SQLite)."""
    statements = connection.ops.sequence_reset_sql(no_style(), list(_Writer.ORDER))
    if statements:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)


def _analyze() -> None:
    """Refresh the planner's statistics: millions of new rows make the old ones mislead it."""
    with connection.cursor() as cursor:
        for model in _Writer.ORDER:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def iter_counts(summary: Summary) -> Iterator[tuple[str, int]]:
    for model in _Writer.ORDER:
        yield model._meta.verbose_name_plural, summary.counts[model._meta.label]
