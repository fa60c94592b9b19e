"""`cpdnet generate-activity` on a small world built by hand: shapes, states, seeds, replace."""

import datetime
import hashlib
from collections import Counter
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import F

from cpdnet.applications.models import PARTICIPATING, Application, State
from cpdnet.delivery.models import Attendance
from cpdnet.hubs.services import ensure_networks
from cpdnet.insights.activity import DOMAIN, generate_activity
from cpdnet.programmes.models import Offering
from cpdnet.schools.models import SchoolStatus
from tests.factories import (
    ApplicationFactory,
    HubAreaFactory,
    HubFactory,
    OfferingFactory,
    ProgrammeFactory,
    SchoolFactory,
    TeacherFactory,
)

NOW = datetime.datetime(2026, 12, 1, 12, 0, tzinfo=datetime.UTC)
# % FSM of the schools in each national quintile of the small world (Q1 least disadvantaged).
QUINTILE_FSM = {1: "4.0", 2: "11.0", 3: "19.0", 4: "28.0", 5: "45.0"}


def _build_world(*, per_quintile: int) -> dict:
    """A maths hub serving Leeds, three programmes, and schools in every FSM quintile.

    Besides the open state-funded schools there is a closed one and an independent one, which
    must never appear in the generated activity.
    """
    maths = ensure_networks()["maths"]
    hub = HubFactory(network=maths, slug="leeds-maths-hub")
    HubAreaFactory(hub=hub, local_authority_id="383")
    ProgrammeFactory(network=maths, slug="primary-work-group", phase="primary", kind="work_group")
    ProgrammeFactory(
        network=maths,
        slug="secondary-work-group",
        phase="secondary",
        key_stages="KS3",
        kind="work_group",
    )
    ProgrammeFactory(
        network=maths, slug="webinar", phase="all", kind="webinar", audience="class_teacher"
    )
    schools = []
    for quintile, fsm in QUINTILE_FSM.items():
        for number in range(per_quintile):
            schools.append(
                SchoolFactory(
                    # Fixed URNs: each school's random effect is seeded by its URN.
                    urn=700000 + 1000 * quintile + number,
                    percentage_fsm=Decimal(fsm),
                    phase="Secondary" if number % 5 == 0 else "Primary",
                    pupils=200 + 10 * (number % 60),
                    name=f"Q{quintile} school {number}",
                )
            )
    closed = SchoolFactory(status=SchoolStatus.CLOSED, pupils=300, percentage_fsm=Decimal("30"))
    independent = SchoolFactory(is_state_funded=False, pupils=300, percentage_fsm=Decimal("5"))
    return {"hub": hub, "schools": schools, "excluded": {closed.urn, independent.urn}}


@pytest.fixture
def world(db):
    return _build_world(per_quintile=12)


def _generate(seed: int = 7, **options):
    return generate_activity(years=5, scale="small", seed=seed, now=NOW, **options)


def _checksum() -> str:
    """A digest of the generated rows by what they say, not by their database ids."""
    digest = hashlib.sha256()
    applications = Application.objects.filter(applicant__email__endswith=f"@{DOMAIN}")
    for row in applications.order_by("applicant__email", "offering__programme__slug").values_list(
        "applicant__email",
        "school_id",
        "offering__programme__slug",
        "offering__academic_year",
        "offering__cohort_name",
        "state",
        "submitted_at",
    ):
        digest.update(repr(row).encode())
    marks = Attendance.objects.filter(application__in=applications)
    for row in marks.order_by("application__applicant__email", "session__starts_at").values_list(
        "application__applicant__email", "session__starts_at", "status"
    ):
        digest.update(repr(row).encode())
    return digest.hexdigest()


def test_the_same_seed_gives_the_same_rows_and_another_seed_different_ones(world):
    # Given activity generated with seed 7
    first = _generate(seed=7)
    first_checksum = _checksum()

    # When it is generated again with the same seed, then with another
    again = _generate(seed=7, replace=True)
    again_checksum = _checksum()
    _generate(seed=8, replace=True)

    # Then the same seed gives identical counts and rows, and another seed different rows
    assert first.counts == again.counts
    assert first.counts["applications.Application"] > 50
    assert first_checksum == again_checksum
    assert _checksum() != first_checksum


def test_every_application_is_from_an_open_state_funded_school_its_applicant_works_at(world):
    _generate()

    applications = Application.objects.filter(applicant__email__endswith=f"@{DOMAIN}")
    schools = set(applications.values_list("school_id", flat=True))
    assert schools
    assert schools <= {school.urn for school in world["schools"]}
    assert not schools & world["excluded"]
    assert not applications.exclude(school_id=F("applicant__school_id")).exists()


def test_states_are_mostly_participants_with_some_declined_withdrawn_and_waitlisted(world):
    _generate()

    states = Counter(
        Application.objects.filter(applicant__email__endswith=f"@{DOMAIN}").values_list(
            "state", flat=True
        )
    )
    total = sum(states.values())
    participants = sum(states[state] for state in PARTICIPATING)
    assert 0.7 <= participants / total <= 0.95
    for state in (State.DECLINED, State.WITHDRAWN, State.WAITLISTED):
        assert 0.005 <= states[state] / total <= 0.12, state
    # Past years are over: their participants completed or did not.
    past = Application.objects.filter(
        applicant__email__endswith=f"@{DOMAIN}", offering__academic_year__lt=2026
    )
    assert not past.filter(state=State.ACCEPTED).exists()
    assert (
        past.filter(state=State.COMPLETED).count() > past.filter(state=State.NOT_COMPLETED).count()
    )


def test_attendance_is_marked_only_for_participants_and_only_for_sessions_held(world):
    _generate()

    marks = Attendance.objects.filter(application__applicant__email__endswith=f"@{DOMAIN}")
    assert marks.exists()
    assert not marks.exclude(application__state__in=PARTICIPATING).exists()
    assert not marks.filter(session__starts_at__gte=NOW).exists()
    assert not marks.exclude(session__offering_id=F("application__offering_id")).exists()


def test_offerings_have_their_planned_sessions_in_their_academic_year(world):
    _generate()

    offerings = Offering.objects.filter(facilitator__email__endswith=f"@{DOMAIN}")
    assert offerings.exists()
    for offering in offerings.prefetch_related("sessions"):
        sessions = list(offering.sessions.all())
        assert len(sessions) == offering.planned_sessions
        assert all(
            datetime.date(offering.academic_year, 9, 1)
            <= session.starts_at.date()
            <= datetime.date(offering.academic_year + 1, 8, 31)
            for session in sessions
        )


def test_more_disadvantaged_schools_take_part_less_often(db):
    # Given the activity of five years for 150 schools in each FSM quintile
    world = _build_world(per_quintile=150)
    _generate(seed=2026)

    # When the share of school-years with a participant is taken per quintile
    engaged = set(
        Application.objects.filter(
            applicant__email__endswith=f"@{DOMAIN}", state__in=PARTICIPATING
        ).values_list("school_id", "offering__academic_year")
    )
    fsm_of = {school.urn: str(school.percentage_fsm) for school in world["schools"]}
    quintile_of_fsm = {fsm: quintile for quintile, fsm in QUINTILE_FSM.items()}
    rate = {}
    for quintile in (1, 5):
        urns = [urn for urn, fsm in fsm_of.items() if quintile_of_fsm[fsm] == quintile]
        years = range(2022, 2027)
        hits = sum((urn, year) in engaged for urn in urns for year in years)
        rate[quintile] = hits / (len(urns) * len(years))

    # Then the least disadvantaged fifth takes part clearly more often than the most
    assert rate[1] - rate[5] >= 0.04, rate
    assert 0.2 < rate[5] < rate[1] < 0.8, rate


def test_replace_deletes_only_generated_rows(world):
    # Given a real teacher's application on a real offering, and generated activity
    real = ApplicationFactory(
        offering=OfferingFactory(hub=world["hub"], programme__network=world["hub"].network),
        applicant=TeacherFactory(school=world["schools"][0]),
    )
    _generate()
    generated = Application.objects.filter(applicant__email__endswith=f"@{DOMAIN}").count()

    # When the command runs again with --replace
    out = StringIO()
    call_command("generate_activity", scale="small", seed=7, replace=True, stdout=out)

    # Then the real rows are untouched and the generated ones were replaced
    real.refresh_from_db()
    assert real.state == State.SUBMITTED
    assert Application.objects.filter(applicant__email__endswith=f"@{DOMAIN}").count() > 0
    assert "Deleted the activity generated before" in out.getvalue()
    assert generated > 0


def test_running_twice_without_replace_is_refused_and_changes_nothing(world):
    _generate()
    before = Application.objects.count()

    with pytest.raises(CommandError, match="--replace"):
        call_command("generate_activity", scale="small", stdout=StringIO())

    assert Application.objects.count() == before


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"years": 0}, "--years must be between 1 and 20"),
        ({"batch_size": 0}, "--batch-size must be at least 1"),
    ],
)
def test_bad_arguments_are_refused_in_plain_english(world, options, message):
    with pytest.raises(CommandError, match=message):
        call_command("generate_activity", stdout=StringIO(), **options)
    assert not Application.objects.exists()


def test_an_empty_register_is_refused_with_what_to_do(db):
    with pytest.raises(CommandError, match="load-demo"):
        call_command("generate_activity", stdout=StringIO())


def test_the_command_prints_counts_and_time(world):
    out = StringIO()

    call_command("generate_activity", scale="small", years=2, stdout=out)

    assert "applications" in out.getvalue()
    assert "Took " in out.getvalue()
