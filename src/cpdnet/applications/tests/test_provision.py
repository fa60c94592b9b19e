"""The provision model as applications see it: the moved signal, continuing places over the
years of a programme, colleges and national offerings."""

import datetime

import pytest
from django.db import transaction
from django.utils import timezone

from cpdnet.applications.models import Application, State
from cpdnet.applications.services import (
    ApplicationError,
    NotEligible,
    decide_application,
    submit_application,
    withdraw_application,
)
from cpdnet.applications.signals import application_moved
from cpdnet.programmes.models import Provider, ProviderKind
from cpdnet.schools.models import FundingCategory
from tests.factories import (
    ApplicationFactory,
    HubAreaFactory,
    OfferingFactory,
    ProgrammeFactory,
    SchoolFactory,
    TeacherFactory,
    UserFactory,
    VerifiedDomainFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def moves():
    """Record each application_moved signal, with whether a transaction was open."""
    seen = []

    def receiver(sender, application, from_state, to_state, by, **kwargs):
        seen.append(
            (application.pk, from_state, to_state, by, transaction.get_connection().in_atomic_block)
        )

    application_moved.connect(receiver)
    yield seen
    application_moved.disconnect(receiver)


def test_a_decision_sends_application_moved_inside_its_transaction(moves):
    # Given a submitted application and hub staff
    application = ApplicationFactory(state=State.SUBMITTED)
    staff = UserFactory()

    # When the hub accepts it
    decide_application(application=application, decision="accept", by=staff)

    # Then one signal told who moved it from where to where, inside the transaction
    assert moves == [(application.pk, State.SUBMITTED, State.ACCEPTED, staff, True)]


def test_a_receiver_that_fails_rolls_the_move_back(moves):
    # Given a receiver (funding, say) that refuses the move
    application = ApplicationFactory(state=State.ACCEPTED)

    def refuse(sender, **kwargs):
        raise RuntimeError("ledger unavailable")

    application_moved.connect(refuse)
    try:
        # When the teacher withdraws
        with pytest.raises(RuntimeError):
            withdraw_application(application=application, by=application.applicant)
    finally:
        application_moved.disconnect(refuse)

    # Then the application and its history are as they were
    application.refresh_from_db()
    assert application.state == State.ACCEPTED
    assert not application.history.exists()


def test_a_refused_move_sends_nothing(moves):
    application = ApplicationFactory(state=State.DECLINED)

    with pytest.raises(ApplicationError):
        decide_application(application=application, decision="accept", by=UserFactory())

    assert moves == []


def _multi_year_world():
    """A three-year programme with year 1 in 2025 and year 2 in 2026 at the same hub."""
    programme = ProgrammeFactory(duration_years=3)
    year_one = OfferingFactory(programme=programme, academic_year=2025, programme_year=1)
    year_two = OfferingFactory(
        programme=programme, hub=year_one.hub, academic_year=2026, programme_year=2
    )
    HubAreaFactory(hub=year_one.hub)
    return year_one, year_two


def test_a_year_one_participant_continues_into_year_two():
    # Given a teacher who holds a place in year 1 of a three-year programme
    year_one, year_two = _multi_year_world()
    place = ApplicationFactory(offering=year_one, state=State.ACCEPTED)
    teacher = place.applicant

    # When they apply for year 2 the next academic year
    VerifiedDomainFactory(domain="example.org", school=teacher.school)  # the head may release
    application = submit_application(
        offering=year_two,
        applicant=teacher,
        school=teacher.school,
        job_role="class_teacher",
        approver_email="head@example.org",
    )

    # Then they are not refused for having taken part before, and the place continues year 1
    assert application.continues == place


def test_a_newcomer_cannot_start_in_year_two():
    _year_one, year_two = _multi_year_world()
    teacher = TeacherFactory()

    with pytest.raises(NotEligible) as refused:
        submit_application(
            offering=year_two,
            applicant=teacher,
            school=teacher.school,
            job_role="class_teacher",
            approver_email="head@example.org",
        )

    assert refused.value.code == "needs_previous_year"
    assert not Application.objects.filter(offering=year_two).exists()


def test_a_past_participant_cannot_start_year_one_again():
    # Given a teacher who completed year 1 in 2025
    year_one, _year_two = _multi_year_world()
    place = ApplicationFactory(offering=year_one, state=State.COMPLETED)
    again = OfferingFactory(
        programme=year_one.programme, hub=year_one.hub, academic_year=2026, programme_year=1
    )

    # When they apply to start year 1 again in 2026
    with pytest.raises(NotEligible) as refused:
        submit_application(
            offering=again,
            applicant=place.applicant,
            school=place.applicant.school,
            job_role="class_teacher",
            approver_email="head@example.org",
        )

    # Then they are refused for having taken part
    assert refused.value.code == "already_took_part"


def test_a_college_teacher_may_apply():
    # Given a teacher at a sixth-form college in the hub's area, and a post-16 programme
    college = SchoolFactory(
        type_group="Colleges",
        type_name="Further education",
        funding_category=FundingCategory.COLLEGE,
        is_state_funded=True,
        phase="16 plus",
    )
    offering = OfferingFactory(programme__phase="post_16")
    HubAreaFactory(hub=offering.hub)
    teacher = TeacherFactory(school=college)

    # When they apply
    VerifiedDomainFactory(domain="college.example.org", school=college)  # the head may release
    application = submit_application(
        offering=offering,
        applicant=teacher,
        school=college,
        job_role="class_teacher",
        approver_email="head@college.example.org",
    )

    # Then the application goes to the college for release
    assert application.state == State.AWAITING_SCHOOL_APPROVAL


def test_a_national_offering_is_open_to_schools_everywhere():
    # Given a national centre's offering marked local only, and a school in no hub's area
    centre = Provider.objects.create(
        kind=ProviderKind.NATIONAL_CENTRE, name="National STEM Learning Centre", slug="centre"
    )
    offering = OfferingFactory(hub=None, provider=centre, local_only=True)
    teacher = TeacherFactory(school=SchoolFactory(la_code="999"))

    # When a teacher applies
    VerifiedDomainFactory(domain="example.org", school=teacher.school)  # the head may release
    application = submit_application(
        offering=offering,
        applicant=teacher,
        school=teacher.school,
        job_role="class_teacher",
        approver_email="head@example.org",
    )

    # Then no hub area refuses them
    assert application.offering.is_national
    assert application.state == State.AWAITING_SCHOOL_APPROVAL
    assert str(offering).startswith(f"{offering.programme.title} – National STEM Learning Centre")


def test_offerings_of_past_years_do_not_count_as_continuing():
    # A place two years back does not let a teacher into year 2
    year_one, year_two = _multi_year_world()
    old = OfferingFactory(
        programme=year_one.programme,
        hub=year_one.hub,
        academic_year=2024,
        programme_year=1,
        starts_on=datetime.date(2025, 1, 1),
        ends_on=datetime.date(2025, 6, 1),
    )
    place = ApplicationFactory(offering=old, state=State.COMPLETED)

    with pytest.raises(NotEligible) as refused:
        submit_application(
            offering=year_two,
            applicant=place.applicant,
            school=place.applicant.school,
            job_role="class_teacher",
            approver_email="head@example.org",
        )

    assert refused.value.code == "already_took_part"


def test_a_full_school_capacity_refuses_a_new_school_but_not_a_school_already_in():
    # Given an offering of 2 school places, both held
    offering = OfferingFactory(school_capacity=2)
    first, _second = (ApplicationFactory(offering=offering, state=State.ACCEPTED) for _ in range(2))
    colleague = ApplicationFactory(offering=offering, applicant=TeacherFactory(school=first.school))
    newcomer = ApplicationFactory(offering=offering)

    # When the hub accepts a teacher from a third school
    with pytest.raises(ApplicationError) as refused:
        decide_application(application=newcomer, decision="accept", by=UserFactory())

    # Then it is refused with the reason, and a colleague from a school already in is accepted
    assert refused.value.code == "no_school_places_left"
    newcomer.refresh_from_db()
    assert newcomer.state == State.SUBMITTED
    decide_application(application=colleague, decision="accept", by=UserFactory())
    colleague.refresh_from_db()
    assert colleague.state == State.ACCEPTED


def test_a_freed_place_goes_to_the_longest_waiting_applicant_whose_school_fits():
    # Given a full offering of 2 school places held by two teachers from school A and one
    # from school B, and a waiting list whose head is from a new school C
    offering = OfferingFactory(capacity=3, school_capacity=2)
    school_a, school_b = SchoolFactory(), SchoolFactory()
    leaving = ApplicationFactory(
        offering=offering, applicant=TeacherFactory(school=school_a), state=State.ACCEPTED
    )
    ApplicationFactory(
        offering=offering, applicant=TeacherFactory(school=school_a), state=State.ACCEPTED
    )
    ApplicationFactory(
        offering=offering, applicant=TeacherFactory(school=school_b), state=State.ACCEPTED
    )
    now = timezone.now()
    from_new_school = ApplicationFactory(
        offering=offering, state=State.WAITLISTED, waitlisted_at=now - datetime.timedelta(days=2)
    )
    from_school_b = ApplicationFactory(
        offering=offering,
        applicant=TeacherFactory(school=school_b),
        state=State.WAITLISTED,
        waitlisted_at=now - datetime.timedelta(days=1),
    )

    # When a teacher from school A withdraws (school A keeps a place)
    withdraw_application(application=leaving, by=leaving.applicant)

    # Then the place goes to school B's teacher, as school C cannot take a school place
    from_new_school.refresh_from_db()
    from_school_b.refresh_from_db()
    assert (from_new_school.state, from_school_b.state) == (State.WAITLISTED, State.PLACE_OFFERED)
