"""The demo menu of programmes, every hub's offerings, the demo accounts and applications."""

import datetime
from io import StringIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from cpdnet.accounts.models import Role, RoleAssignment, User
from cpdnet.applications import eligibility
from cpdnet.applications.models import (
    ACTIVE,
    HOLDS_PLACE,
    TRANSITIONS,
    Affiliation,
    AffiliationState,
    Application,
    State,
    Transition,
)
from cpdnet.applications.selectors import release_authority
from cpdnet.hubs.management.commands.load_demo import DEMO_PASSWORD
from cpdnet.hubs.models import Hub
from cpdnet.hubs.services import load_hubs
from cpdnet.programmes.demo import academic_year_of, load_demo_programmes
from cpdnet.programmes.models import Kind, Offering, Programme
from cpdnet.programmes.selectors import with_places
from tests.factories import SchoolFactory

LONDON = ZoneInfo("Europe/London")
HUBS_DEMO = Path(__file__).resolve().parents[2] / "hubs" / "demo_data"


def this_academic_year() -> int:
    return academic_year_of(timezone.localdate())


def open_at(moment: datetime.datetime):
    return Offering.objects.filter(
        applications_open_at__lte=moment, applications_close_at__gt=moment
    )


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Programme, Offering, User, RoleAssignment, Application, Transition)
    }


FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def load_register() -> list:
    """The shipped hubs and areas, and a small register: a few schools in Leeds."""
    load_hubs(hubs_csv=HUBS_DEMO / "hubs.csv", areas_csv=HUBS_DEMO / "hub_areas.csv")
    schools = [SchoolFactory(phase="Primary") for _ in range(4)]
    schools += [SchoolFactory(phase="Secondary"), SchoolFactory(phase="Nursery")]
    return schools


@pytest.fixture
def register(db, settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS
    return load_register()


@pytest.fixture(scope="class")
def loaded(django_db_setup, django_db_blocker):
    """Load the demo once for a class of read-only tests; roll it back after the class."""
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=FAST_HASHERS),
        transaction.atomic(),
    ):
        schools = load_register()
        yield {"schools": schools, "summary": load_demo_programmes()}
        transaction.set_rollback(True)


@pytest.fixture
def demo(loaded, db):
    return loaded


class TestOfferings:
    def test_every_hub_has_offerings_last_academic_year_and_this_one(self, demo):
        year = this_academic_year()

        for hub in Hub.objects.all():
            years = set(hub.offerings.values_list("academic_year", flat=True))
            assert years == {year - 1, year}, hub.slug
            for academic_year in years:
                assert 4 <= hub.offerings.filter(academic_year=academic_year).count() <= 12

    def test_a_hub_offers_only_its_own_networks_programmes(self, demo):
        offerings = Offering.objects.select_related("programme", "hub")

        assert offerings.exists()
        assert [o for o in offerings if o.programme.network_id != o.hub.network_id] == []

    def test_last_years_offerings_are_all_over_and_closed(self, demo):
        now = timezone.now()

        last_year = Offering.objects.filter(academic_year=this_academic_year() - 1)

        assert last_year.exists()
        assert not last_year.filter(applications_close_at__gt=now).exists()
        assert not last_year.filter(ends_on__gte=timezone.localdate()).exists()

    def test_this_year_has_offerings_closed_open_and_opening_later(self, demo):
        now = timezone.now()

        this_year = Offering.objects.filter(academic_year=this_academic_year())

        assert this_year.filter(applications_close_at__lte=now).exists()
        assert this_year.filter(applications_open_at__lte=now, applications_close_at__gt=now)
        assert this_year.filter(applications_open_at__gt=now).exists()

    def test_webinars_and_courses_are_open_with_free_places_and_some_are_full(self, demo):
        now = timezone.now()

        open_now = with_places(
            Offering.objects.filter(applications_open_at__lte=now, applications_close_at__gt=now)
        ).select_related("programme")

        with_free_places = [
            offering
            for offering in open_now
            if offering.programme.kind in (Kind.WEBINAR, Kind.COURSE) and offering.places_left
        ]
        full = [offering for offering in open_now if offering.places_left == 0]
        assert len(with_free_places) >= 2
        assert full
        assert all(
            offering.applications.filter(state=State.WAITLISTED).exists() for offering in full
        )

    def test_offerings_have_realistic_places_and_dates(self, demo):
        for offering in Offering.objects.select_related("programme"):
            kind = offering.programme.kind
            if kind == Kind.WEBINAR:
                assert offering.capacity == 500
                assert offering.starts_on == offering.ends_on
            elif kind == Kind.WORK_GROUP:
                assert 8 <= offering.capacity <= 20
            if offering.programme.counts_schools:
                assert 0 < offering.school_capacity <= offering.capacity
            year_start = datetime.date(offering.academic_year, 9, 1)
            assert year_start <= offering.starts_on <= offering.ends_on
            assert offering.ends_on < datetime.date(offering.academic_year + 1, 8, 1)
            assert offering.applications_open_at < offering.applications_close_at

    def test_places_held_never_exceed_places(self, demo):
        over = [
            offering
            for offering in with_places(Offering.objects.all())
            if offering.places_taken > offering.capacity
        ]

        assert over == []


class TestAccounts:
    def test_every_demo_account_exists_with_its_role(self, demo):
        hub = Hub.objects.get(slug="west-yorkshire-maths-hub")
        teacher = User.objects.get(email="teacher@example.org")

        def roles(email):
            return set(
                RoleAssignment.objects.filter(user__email=email).values_list(
                    "role", "hub", "school"
                )
            )

        assert roles("national@example.org") == {(Role.NATIONAL_STAFF, None, None)}
        assert User.objects.get(email="national@example.org").is_superuser
        assert roles("hub@example.org") == {(Role.HUB_STAFF, hub.pk, None)}
        assert roles("facilitator@example.org") == {(Role.FACILITATOR, hub.pk, None)}
        assert roles("approver@example.org") == {(Role.SCHOOL_APPROVER, None, teacher.school_id)}
        assert roles("assessor@example.org") == {(Role.ASSESSOR, None, None)}
        assert roles("evaluator@example.org") == {(Role.EVALUATOR, None, None)}
        assert roles("teacher@example.org") == set()
        assert teacher.job_role == "class_teacher"

    def test_demo_accounts_sign_in_with_the_demo_password(self, demo):
        for email in ("hub@example.org", "teacher@example.org", "evaluator@example.org"):
            user = User.objects.get(email=email)
            assert user.check_password(DEMO_PASSWORD)
            assert user.full_name.endswith("(demo)")

    def test_the_teacher_works_at_an_open_primary_school_in_leeds(self, demo):
        school = User.objects.get(email="teacher@example.org").school

        assert school in demo["schools"]
        assert (school.la_code, school.phase, school.is_open) == ("383", "Primary", True)

    def test_the_facilitator_runs_some_of_the_hubs_offerings(self, demo):
        facilitated = Offering.objects.filter(facilitator__email="facilitator@example.org")

        assert facilitated.exists()
        assert set(facilitated.values_list("hub__slug", flat=True)) == {"west-yorkshire-maths-hub"}


class TestApplications:
    def test_the_teacher_has_applications_in_eight_states(self, demo):
        states = set(
            Application.objects.filter(applicant__email="teacher@example.org").values_list(
                "state", flat=True
            )
        )

        assert states == {
            State.AWAITING_SCHOOL_APPROVAL,
            State.SUBMITTED,
            State.ACCEPTED,
            State.WAITLISTED,
            State.PLACE_OFFERED,
            State.DECLINED,
            State.WITHDRAWN,
            State.COMPLETED,
        }

    def test_the_teacher_can_apply_for_something_open_and_be_released(self, demo):
        # Given the demo teacher and the open offerings of their hub
        teacher = User.objects.get(email="teacher@example.org")
        now = timezone.now()
        applied = teacher.applications.filter(state__in=ACTIVE).values("offering")
        candidates = (
            open_at(now)
            .exclude(pk__in=applied)
            .exclude(programme__kind=Kind.WEBINAR)
            .select_related("programme", "hub")
        )

        # Then at least one is for them
        eligible = [
            offering
            for offering in candidates
            if eligibility.check(
                eligibility.build_candidate(
                    offering=offering,
                    applicant=teacher,
                    school=teacher.school,
                    job_role=teacher.job_role,
                )
            )
            is None
        ]
        assert eligible
        # And their school can release them: a registered approver and a verified domain
        assert release_authority(school=teacher.school, email="approver@example.org") == "approver"
        assert release_authority(school=teacher.school, email="head@demo-school.example.org") == (
            "domain"
        )

    def test_the_teachers_school_is_confirmed_by_its_releases(self, demo):
        teacher = User.objects.get(email="teacher@example.org")

        affiliation = Affiliation.objects.get(person=teacher)

        assert affiliation.state == AffiliationState.CONFIRMED
        assert affiliation.history.count() == 1
        # and the places they hold count for their school
        assert set(
            teacher.applications.filter(state__in=HOLDS_PLACE).values_list(
                "school_confirmed", flat=True
            )
        ) == {True}

    def test_the_teachers_completed_application_is_from_last_year(self, demo):
        completed = Application.objects.get(
            applicant__email="teacher@example.org", state=State.COMPLETED
        )

        assert completed.offering.academic_year == this_academic_year() - 1

    def test_other_made_up_teachers_applied_across_the_demo_hub(self, demo):
        others = Application.objects.filter(applicant__email__endswith="@demo.example.org")

        assert others.count() >= 200
        assert set(others.values_list("offering__hub__slug", flat=True)) == {
            "west-yorkshire-maths-hub"
        }
        assert others.values("offering").distinct().count() >= 8

    def test_every_history_follows_the_allowed_moves_and_ends_in_the_state(self, demo):
        for application in Application.objects.prefetch_related("history"):
            steps = list(application.history.all())
            assert steps[0].from_state == ""
            assert steps[-1].to_state == application.state
            for earlier, later in zip(steps, steps[1:], strict=False):
                assert later.from_state == earlier.to_state
                assert later.to_state in TRANSITIONS[earlier.to_state]
                assert earlier.created_at <= later.created_at
            assert application.submitted_at == steps[0].created_at

    def test_no_school_approval_is_overdue_and_no_offer_has_run_out(self, demo):
        now = timezone.now()

        assert not Application.objects.filter(
            state=State.AWAITING_SCHOOL_APPROVAL, approval_due_at__lte=now
        ).exists()
        assert not Application.objects.filter(
            state=State.PLACE_OFFERED, offer_expires_at__lte=now
        ).exists()

    def test_places_are_held_only_on_offerings_that_opened(self, demo):
        now = timezone.now()

        assert not Application.objects.filter(
            state__in=HOLDS_PLACE, offering__applications_open_at__gt=now
        ).exists()

    def test_loading_sends_no_email(self, register, mailoutbox, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            load_demo_programmes()

        assert Application.objects.exists()
        assert (len(callbacks), mailoutbox) == (0, [])


class TestLoadingAgain:
    def test_loading_twice_changes_no_counts(self, register):
        load_demo_programmes()
        before = counts()

        again = load_demo_programmes()

        assert counts() == before
        assert (again["offerings_created"], again["applications_created"]) == (0, 0)

    def test_loading_later_moves_the_windows_so_that_offerings_are_open(self, register):
        autumn = datetime.datetime(2026, 10, 1, 12, tzinfo=LONDON)
        spring = datetime.datetime(2027, 3, 1, 12, tzinfo=LONDON)  # the same academic year
        load_demo_programmes(now=autumn)
        before = counts()
        assert not open_at(spring).exists()

        load_demo_programmes(now=spring)

        assert counts() == before
        assert open_at(spring).filter(academic_year=2026).count() >= len(Hub.objects.all())
        assert not open_at(autumn).filter(academic_year=2026).exists()

    def test_the_same_seed_gives_the_same_offerings(self, register):
        load_demo_programmes()

        def plan():
            return sorted(
                Offering.objects.values_list(
                    "programme__slug", "hub__slug", "academic_year", "cohort_name", "capacity"
                )
            )

        first = plan()
        Transition.objects.all().delete()
        Application.objects.all().delete()
        Offering.objects.all().delete()

        load_demo_programmes()

        assert plan() == first

    def test_load_demo_command_adds_the_programmes_and_can_run_again(self, register):
        output = StringIO()

        call_command("load_demo", stdout=output)
        before = counts()
        call_command("load_demo", stdout=StringIO())

        assert "Loaded 30 programmes" in output.getvalue()
        assert "teacher@example.org" in output.getvalue()
        assert counts() == before
        assert before["Programme"] == 30
