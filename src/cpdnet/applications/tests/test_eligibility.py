"""`build_candidate`: the facts the eligibility rules read, gathered from the database."""

import pytest

from cpdnet.applications.eligibility import build_candidate, check
from cpdnet.applications.models import State
from tests.factories import (
    ApplicationFactory,
    HubAreaFactory,
    HubFactory,
    OfferingFactory,
    ProgrammeFactory,
    SchoolFactory,
    TeacherFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def offering():
    """A 2026/27 offering by a hub that serves the whole of Leeds (LA 383)."""
    offering = OfferingFactory(academic_year=2026)
    HubAreaFactory(hub=offering.hub, local_authority_id="383")
    return offering


@pytest.fixture
def teacher():
    return TeacherFactory(school=SchoolFactory(la_code="383", phase="Primary"))


def candidate_for(offering, teacher, school=None, job_role="class_teacher"):
    return build_candidate(
        offering=offering, applicant=teacher, school=school or teacher.school, job_role=job_role
    )


def test_a_teacher_at_a_school_in_the_hubs_area_may_apply(offering, teacher):
    candidate = candidate_for(offering, teacher)

    assert candidate.school_in_hub_area is True
    assert candidate.school_is_state_funded_in_england is True
    assert candidate.school_is_open is True
    assert candidate.school_phases == {"early_years", "primary"}
    assert candidate.audience == set(offering.programme.audience_roles)
    assert candidate.window_opens_at == offering.applications_open_at
    assert candidate.window_closes_at == offering.applications_close_at
    assert check(candidate) is None


def test_a_school_served_by_another_hub_is_outside_the_area(offering):
    # Given Lancashire (LA 888) served by a different hub of the same network
    HubAreaFactory(hub=HubFactory(network=offering.hub.network), local_authority_id="888")
    teacher = TeacherFactory(school=SchoolFactory(la_code="888", district_code="E07000123"))

    candidate = candidate_for(offering, teacher)

    assert candidate.school_in_hub_area is False
    assert check(candidate).code == "outside_hub_area"


def test_a_school_no_hub_serves_is_outside_the_area_of_a_local_only_offering(offering):
    teacher = TeacherFactory(school=SchoolFactory(la_code="330", district_code="E08000025"))

    assert check(candidate_for(offering, teacher)).code == "outside_hub_area"


def test_a_school_outside_the_area_may_apply_when_the_offering_is_open_to_all_areas(offering):
    offering.local_only = False
    offering.save()
    teacher = TeacherFactory(school=SchoolFactory(la_code="330", district_code="E08000025"))

    candidate = candidate_for(offering, teacher)

    assert candidate.school_in_hub_area is False
    assert check(candidate) is None


@pytest.mark.parametrize(
    "school_fields",
    [{"is_state_funded": False}, {"is_state_funded": None}, {"la_code": ""}],
    ids=["independent", "funding not known", "no local authority in England"],
)
def test_a_school_not_known_to_be_state_funded_in_england_is_refused(offering, school_fields):
    teacher = TeacherFactory(school=SchoolFactory(**school_fields))

    assert check(candidate_for(offering, teacher)).code == "not_state_funded_school"


def test_a_closed_school_is_refused(offering):
    teacher = TeacherFactory(school=SchoolFactory(status="closed"))

    assert check(candidate_for(offering, teacher)).code == "not_state_funded_school"


def test_a_school_whose_phase_is_not_known_gets_the_benefit_of_the_doubt(offering):
    teacher = TeacherFactory(school=SchoolFactory(phase=""))

    candidate = candidate_for(offering, teacher)

    assert candidate.school_phases == frozenset()
    assert check(candidate) is None


def test_a_secondary_school_is_refused_by_a_primary_programme(offering):
    teacher = TeacherFactory(school=SchoolFactory(phase="Secondary"))

    assert check(candidate_for(offering, teacher)).code == "wrong_phase"


def test_the_job_role_applied_with_is_checked_against_the_audience(offering, teacher):
    candidate = candidate_for(offering, teacher, job_role="teaching_assistant")

    assert check(candidate).code == "role_not_in_audience"


@pytest.mark.parametrize("state", [State.ACCEPTED, State.COMPLETED])
def test_a_place_in_an_earlier_year_of_the_programme_counts_as_taking_part(
    offering, teacher, state
):
    # Given a place on last year's run of the same programme, at another hub
    last_year = OfferingFactory(programme=offering.programme, academic_year=2025)
    ApplicationFactory(offering=last_year, applicant=teacher, state=state)

    candidate = candidate_for(offering, teacher)

    assert candidate.took_part_before is True
    assert check(candidate).code == "already_took_part"


@pytest.mark.parametrize("state", [State.DECLINED, State.WITHDRAWN, State.WAITLISTED])
def test_an_earlier_application_without_a_place_does_not_count_as_taking_part(
    offering, teacher, state
):
    last_year = OfferingFactory(programme=offering.programme, academic_year=2025)
    ApplicationFactory(offering=last_year, applicant=teacher, state=state)

    assert candidate_for(offering, teacher).took_part_before is False


def test_taking_part_in_a_different_programme_earlier_does_not_count(offering, teacher):
    ApplicationFactory(
        offering=OfferingFactory(academic_year=2025), applicant=teacher, state=State.COMPLETED
    )

    assert candidate_for(offering, teacher).took_part_before is False


def test_another_teachers_place_earlier_does_not_count(offering, teacher):
    last_year = OfferingFactory(programme=offering.programme, academic_year=2025)
    ApplicationFactory(offering=last_year, state=State.COMPLETED)

    assert candidate_for(offering, teacher).took_part_before is False


def test_an_active_application_this_year_for_the_same_programme_conflicts(offering, teacher):
    # Given an application this year to another hub's run of the same programme
    elsewhere = OfferingFactory(programme=offering.programme, academic_year=2026)
    ApplicationFactory(offering=elsewhere, applicant=teacher, state=State.SUBMITTED)

    candidate = candidate_for(offering, teacher)

    assert candidate.applied_this_year_for_conflicting is True
    assert check(candidate).code == "conflicting_application"


def test_an_active_application_this_year_for_a_conflicting_programme_conflicts(offering, teacher):
    # Given a programme marked as conflicting with the offering's, from its own side
    other = ProgrammeFactory(network=offering.programme.network)
    other.conflicts_with.add(offering.programme)
    ApplicationFactory(
        offering=OfferingFactory(programme=other, academic_year=2026),
        applicant=teacher,
        state=State.WAITLISTED,
    )

    assert check(candidate_for(offering, teacher)).code == "conflicting_application"


def test_an_application_this_year_for_an_unrelated_programme_does_not_conflict(offering, teacher):
    ApplicationFactory(
        offering=OfferingFactory(academic_year=2026), applicant=teacher, state=State.ACCEPTED
    )

    assert candidate_for(offering, teacher).applied_this_year_for_conflicting is False


@pytest.mark.parametrize("state", [State.DECLINED, State.WITHDRAWN])
def test_an_application_this_year_that_ended_without_a_place_does_not_conflict(
    offering, teacher, state
):
    elsewhere = OfferingFactory(programme=offering.programme, academic_year=2026)
    ApplicationFactory(offering=elsewhere, applicant=teacher, state=state)

    assert check(candidate_for(offering, teacher)) is None


def test_a_programme_completed_earlier_this_year_conflicts_with_applying_again(offering, teacher):
    # Given the same programme completed already this academic year, at another hub's run
    # (a short course finished in the autumn term)
    autumn = OfferingFactory(programme=offering.programme, academic_year=2026)
    ApplicationFactory(offering=autumn, applicant=teacher, state=State.COMPLETED)

    # When the teacher applies for it again in the same year
    refusal = check(candidate_for(offering, teacher))

    # Then they are refused: it "cannot be taken in the same year"
    assert refusal is not None
    assert refusal.code == "conflicting_application"


def test_last_years_application_does_not_conflict(offering, teacher):
    last_year = OfferingFactory(programme=offering.programme, academic_year=2025)
    ApplicationFactory(offering=last_year, applicant=teacher, state=State.WAITLISTED)

    assert candidate_for(offering, teacher).applied_this_year_for_conflicting is False
