"""Places under load: many hub decisions at once never give more places than an offering has.

Runs on both databases CI uses. PostgreSQL serialises decisions with a row lock on the
offering (SELECT ... FOR UPDATE); SQLite with BEGIN IMMEDIATE (settings). Each thread has its
own database connection, so the tests need real transactions (transaction=True).
"""

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from cpdnet.applications.models import (
    HOLDS_PLACE,
    Application,
    EnrolmentState,
    State,
    Transition,
)
from cpdnet.applications.services import (
    ApplicationError,
    NoPlacesLeft,
    NoSchoolPlacesLeft,
    SchoolHasItsLeadParticipants,
    complete_lead_application,
    decide_application,
    enrol_school,
    places_taken,
    replace_enrolment_lead,
)
from cpdnet.audit.models import AuditEntry
from cpdnet.hubs.services import ensure_networks
from cpdnet.schools.services import load_local_authorities
from tests.factories import (
    ApplicationFactory,
    HubAreaFactory,
    HubFactory,
    OfferingFactory,
    RoleAssignmentFactory,
    SchoolFactory,
    TeacherFactory,
    UserFactory,
)

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]

WORKERS = 25  # two waves of 25: the first fights over the 10 places


IMMEDIATE_TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
        "QUEUES": ["default"],
    }
}


@pytest.fixture(autouse=True)
def _emails_sent_at_once(settings):
    # The root conftest's CPDNET_TASKS_BACKEND comes too late for the settings (see
    # notifications/tests/conftest.py), so ask for eager tasks here.
    settings.TASKS = IMMEDIATE_TASKS


@pytest.fixture
def hub_offering():
    """An offering of 10 places at a hub, and two of the hub's staff."""
    load_local_authorities()  # transactional tests empty the tables the migration filled
    network = ensure_networks()["maths"]
    hub = HubFactory(network=network, slug="race-hub")
    offering = OfferingFactory(hub=hub, programme__network=network, capacity=10)
    staff = [RoleAssignmentFactory(role="hub_staff", hub=hub).user for _ in range(2)]
    return offering, staff


def _applications(offering, count: int, state: str = State.SUBMITTED) -> list[Application]:
    school = SchoolFactory()
    return [
        ApplicationFactory(offering=offering, applicant=TeacherFactory(school=school), state=state)
        for _ in range(count)
    ]


def _race(calls: list[tuple[Application, object]], *, workers: int) -> list[tuple]:
    """Run decide_application(accept) for each (application, staff) pair, `workers` at a time,
    each wave released together; return (application id, outcome, code) per call."""
    barrier = threading.Barrier(workers)

    def accept(application, by) -> tuple:
        try:
            barrier.wait(timeout=30)
            decide_application(application=application, decision="accept", by=by)
            return (application.pk, "accepted", "")
        except ApplicationError as error:
            return (application.pk, type(error).__name__, error.code)
        except Exception as error:  # reported by the test (e.g. "database is locked")
            return (application.pk, "error", f"{type(error).__name__}: {error}")
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(lambda call: accept(*call), calls))


def _errors(results) -> list:
    return [result for result in results if result[1] == "error"]


def test_fifty_accepts_at_once_fill_ten_places_and_refuse_the_rest(hub_offering, mailoutbox):
    # Given an offering of 10 places and 50 submitted applications
    offering, staff = hub_offering
    applications = _applications(offering, 50)

    # When hub staff accept all 50 at once, in waves of 25 released together
    results = _race(
        [(application, staff[n % 2]) for n, application in enumerate(applications)],
        workers=WORKERS,
    )

    # Then nothing failed unexpectedly (e.g. "database is locked")
    assert _errors(results) == [], f"{connection.vendor}: {_errors(results)}"
    # And exactly 10 were accepted and 40 refused for want of places
    outcomes = Counter((outcome, code) for _, outcome, code in results)
    assert outcomes == {
        ("accepted", ""): 10,
        (NoPlacesLeft.__name__, "no_places_left"): 40,
    }
    # And none was lost: each accepted one is accepted, each refused one still submitted
    states = dict(Application.objects.filter(offering=offering).values_list("pk", "state"))
    accepted = {pk for pk, outcome, _ in results if outcome == "accepted"}
    refused = {pk for pk, outcome, _ in results if outcome != "accepted"}
    assert accepted | refused == {application.pk for application in applications}
    assert {pk for pk, state in states.items() if state == State.ACCEPTED} == accepted
    assert {pk for pk, state in states.items() if state == State.SUBMITTED} == refused
    # And no more than 10 hold places, each with one history row and one audit entry
    assert offering.applications.filter(state__in=HOLDS_PLACE).count() == 10
    assert Transition.objects.filter(to_state=State.ACCEPTED).count() == 10
    assert AuditEntry.objects.filter(action="applications.application.accepted").count() == 10
    # And each accepted applicant, and no one else, was told once
    emails = Application.objects.filter(pk__in=accepted).values_list("applicant__email", flat=True)
    assert sorted(email.to[0] for email in mailoutbox) == sorted(emails)
    assert all(email.subject.startswith("You have a place") for email in mailoutbox)


def test_two_staff_racing_for_the_last_place_give_it_to_one_applicant(hub_offering):
    # Given 9 of 10 places taken, and rounds of two staff accepting two applicants at once
    offering, staff = hub_offering
    _applications(offering, 9, state=State.ACCEPTED)
    for _ in range(5):
        first, second = _applications(offering, 2)

        # When both staff accept at the same moment
        results = _race([(first, staff[0]), (second, staff[1])], workers=2)

        # Then one gets the last place and the other is told there are none left
        assert _errors(results) == [], f"{connection.vendor}: {_errors(results)}"
        assert sorted(outcome for _, outcome, _ in results) == ["NoPlacesLeft", "accepted"]
        assert offering.applications.filter(state__in=HOLDS_PLACE).count() == 10
        # Free the place again for the next round
        winner = next(pk for pk, outcome, _ in results if outcome == "accepted")
        Application.objects.filter(pk=winner).update(state=State.WITHDRAWN)


def test_two_staff_accepting_the_same_applicant_at_once_accept_them_once(hub_offering):
    # Given rounds of one application that two staff accept at the same moment
    offering, staff = hub_offering
    for _ in range(5):
        (application,) = _applications(offering, 1)

        results = _race([(application, staff[0]), (application, staff[1])], workers=2)

        # Then one decision is made and the other is refused as already made
        assert _errors(results) == [], f"{connection.vendor}: {_errors(results)}"
        assert sorted((outcome, code) for _, outcome, code in results) == [
            ("ApplicationError", "invalid_transition"),
            ("accepted", ""),
        ]
        assert Transition.objects.filter(application=application).count() == 1


def test_accepts_from_many_schools_at_once_fill_the_school_places_and_refuse_the_rest(
    hub_offering,
):
    # Given an offering of 3 school places (and 30 people places), one application from each
    # of 12 schools
    offering, staff = hub_offering
    offering.capacity, offering.school_capacity = 30, 3
    offering.save(update_fields=["capacity", "school_capacity"])
    applications = [_applications(offering, 1)[0] for _ in range(12)]

    # When hub staff accept all 12 at the same moment
    results = _race(
        [(application, staff[n % 2]) for n, application in enumerate(applications)], workers=12
    )

    # Then exactly 3 schools hold places and the other 9 were told why
    assert _errors(results) == [], f"{connection.vendor}: {_errors(results)}"
    outcomes = Counter((outcome, code) for _, outcome, code in results)
    assert outcomes == {
        ("accepted", ""): 3,
        (NoSchoolPlacesLeft.__name__, "no_school_places_left"): 9,
    }
    holding = offering.applications.filter(state__in=HOLDS_PLACE)
    assert holding.values("school_id").distinct().count() == 3


def test_two_staff_giving_a_school_its_third_lead_participant_at_once_give_one_place(
    hub_offering,
):
    # Given a Work Group counted in schools, and a school with one lead participant
    offering, staff = hub_offering
    offering.programme.counts_schools = True
    offering.programme.save(update_fields=["counts_schools"])
    school = SchoolFactory()
    ApplicationFactory(
        offering=offering, applicant=TeacherFactory(school=school), state=State.ACCEPTED
    )
    second, third = (
        ApplicationFactory(offering=offering, applicant=TeacherFactory(school=school))
        for _ in range(2)
    )

    # When two staff accept two more of its teachers at the same moment
    results = _race([(second, staff[0]), (third, staff[1])], workers=2)

    # Then the school gets its second lead participant and not a third
    assert _errors(results) == [], f"{connection.vendor}: {_errors(results)}"
    assert sorted(outcome for _, outcome, _ in results) == [
        SchoolHasItsLeadParticipants.__name__,
        "accepted",
    ]
    assert offering.applications.filter(state__in=HOLDS_PLACE, school=school).count() == 2


def _race_enrolments(schools_and_approvers, offering, *, workers: int) -> list[tuple]:
    """Enrol each (school, approver) in the offering, all released together."""
    barrier = threading.Barrier(workers)

    def enrol(school, approver) -> tuple:
        try:
            barrier.wait(timeout=30)
            enrol_school(
                offering=offering,
                school=school,
                by=approver,
                senior_leader_name="Head",
                senior_leader_role="Headteacher",
                releases_for_sessions=True,
                gives_gap_task_time=True,
                leads=[("Lead", f"lead@{school.urn}.example.org")],
            )
            return (school.pk, "enrolled", "")
        except ApplicationError as error:
            return (school.pk, type(error).__name__, error.code)
        except Exception as error:  # reported by the test (e.g. "database is locked")
            return (school.pk, "error", f"{type(error).__name__}: {error}")
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(lambda call: enrol(*call), schools_and_approvers))


def _enrolling_school_and_approver():
    school = SchoolFactory()
    approver = RoleAssignmentFactory(role="school_approver", school=school, hub=None).user
    return school, approver


def test_schools_enrolling_at_once_fill_the_school_places_and_refuse_the_rest(hub_offering):
    # Given an offering of 3 school places in the hub's area, and 10 schools' senior leaders
    offering, _staff = hub_offering
    offering.capacity, offering.school_capacity = 30, 3
    offering.save(update_fields=["capacity", "school_capacity"])
    HubAreaFactory(hub=offering.hub)
    schools = [_enrolling_school_and_approver() for _ in range(10)]

    # When all 10 enrol at the same moment
    results = _race_enrolments(schools, offering, workers=10)

    # Then exactly 3 schools are enrolled and the other 7 were told why
    assert _errors(results) == [], f"{connection.vendor}: {_errors(results)}"
    outcomes = Counter((outcome, code) for _, outcome, code in results)
    assert outcomes == {("enrolled", ""): 3, ("NoSchoolPlacesLeft", "no_school_places_left"): 7}
    assert offering.school_enrolments.filter(state=EnrolmentState.ENROLLED).count() == 3


def test_an_enrolment_and_an_accept_racing_for_the_last_school_place_give_it_once(
    hub_offering,
):
    # Given an offering with one school place left, a school's leader enrolling and hub staff
    # accepting a teacher of another school
    offering, staff = hub_offering
    offering.capacity, offering.school_capacity = 30, 1
    offering.save(update_fields=["capacity", "school_capacity"])
    HubAreaFactory(hub=offering.hub)
    school, approver = _enrolling_school_and_approver()
    (application,) = _applications(offering, 1)
    barrier = threading.Barrier(2)

    def enrol() -> str:
        try:
            barrier.wait(timeout=30)
            enrol_school(
                offering=offering,
                school=school,
                by=approver,
                senior_leader_name="Head",
                senior_leader_role="Headteacher",
                releases_for_sessions=True,
                gives_gap_task_time=True,
                leads=[("Lead", "lead@enrolling.example.org")],
            )
            return "enrolled"
        except ApplicationError as error:
            return error.code
        except Exception as error:
            return f"error {type(error).__name__}: {error}"
        finally:
            connections.close_all()

    def accept() -> str:
        try:
            barrier.wait(timeout=30)
            decide_application(application=application, decision="accept", by=staff[0])
            return "accepted"
        except ApplicationError as error:
            return error.code
        except Exception as error:
            return f"error {type(error).__name__}: {error}"
        finally:
            connections.close_all()

    # When both happen at the same moment
    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = sorted(future.result() for future in [pool.submit(enrol), pool.submit(accept)])

    # Then one of them has the school place and the other was refused
    assert outcomes in (
        ["enrolled", "no_school_places_left"],
        ["accepted", "no_school_places_left"],
    ), f"{connection.vendor}: {outcomes}"
    enrolled = offering.school_enrolments.filter(state=EnrolmentState.ENROLLED).count()
    accepted = offering.applications.filter(state__in=HOLDS_PLACE).count()
    assert enrolled + accepted == 1


def test_a_lead_completing_while_the_school_replaces_them_leaves_one_place_taken(hub_offering):
    # Given an enrolled school whose lead Ada has not completed her application
    offering, _staff = hub_offering
    offering.school_capacity = 3
    offering.save(update_fields=["school_capacity"])
    HubAreaFactory(hub=offering.hub)
    school, approver = _enrolling_school_and_approver()
    lead = enrol_school(
        offering=offering,
        school=school,
        by=approver,
        senior_leader_name="Head",
        senior_leader_role="Headteacher",
        releases_for_sessions=True,
        gives_gap_task_time=True,
        leads=[("Ada", "ada@racing.example.org")],
    ).leads.get()
    ada = UserFactory(email="ada@racing.example.org")
    barrier = threading.Barrier(2)

    def at_the_same_moment(action, done: str) -> str:
        try:
            barrier.wait(timeout=30)
            action()
            return done
        except ApplicationError as error:
            return error.code
        except Exception as error:
            return f"error {type(error).__name__}: {error}"
        finally:
            connections.close_all()

    # When Ada completes her application as the school names Cy in her place
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = [
            pool.submit(
                at_the_same_moment,
                lambda: complete_lead_application(lead=lead, person=ada, job_role="class_teacher"),
                "completed",
            ),
            pool.submit(
                at_the_same_moment,
                lambda: replace_enrolment_lead(
                    lead=lead, full_name="Cy", email="cy@racing.example.org", by=approver
                ),
                "named_cy",
            ),
        ]
        outcomes = sorted(future.result() for future in futures)

    # Then whoever came first has the place, the other is refused, and one place is taken
    assert outcomes in (["already_applied", "completed"], ["named_cy", "replaced"]), (
        f"{connection.vendor}: {outcomes}"
    )
    assert places_taken(offering) == 1
    assert offering.applications.exists() == (outcomes[1] == "completed")
