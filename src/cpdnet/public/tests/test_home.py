"""A person's home after signing in: what needs them now, by role, at a flat query cost."""

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cpdnet.accounts.models import Role
from cpdnet.delivery.models import Attendance, GapTask, Submission
from cpdnet.public.home.selectors import SHOWN
from tests.factories import (
    ApplicationFactory,
    OfferingFactory,
    RoleAssignmentFactory,
    SessionFactory,
    TeacherFactory,
    UserFactory,
)

HOME = "/my/"


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _ended_session(offering, days_ago: int = 1):
    start = timezone.now() - datetime.timedelta(days=days_ago, hours=2)
    return SessionFactory(
        offering=offering, starts_at=start, ends_at=start + datetime.timedelta(hours=2)
    )


@pytest.mark.django_db
def test_signed_out_visitor_is_sent_to_sign_in():
    response = Client().get(HOME)
    assert response.status_code == 302 and response.url.startswith("/sign-in/")


@pytest.mark.django_db
def test_sign_in_lands_on_home(settings):
    assert settings.LOGIN_REDIRECT_URL == HOME


@pytest.mark.django_db
def test_teacher_sees_offer_first_then_next_session_and_tasks_marked_done():
    # Given a teacher with a place offered, an accepted place with a session and two tasks
    teacher = TeacherFactory(full_name="Ada Teacher")
    offered = ApplicationFactory(
        applicant=teacher,
        state="place_offered",
        offer_expires_at=timezone.now() + datetime.timedelta(days=3),
    )
    placed = ApplicationFactory(applicant=teacher, state="accepted")
    session = SessionFactory(offering=placed.offering, title="Session one")
    today = timezone.localdate()
    done = GapTask.objects.create(
        offering=placed.offering, title="Try the lesson", instructions="x", due_on=today
    )
    GapTask.objects.create(
        offering=placed.offering, title="Read the chapter", instructions="x", due_on=today
    )
    Submission.objects.create(
        task=done, application=placed, text="done", submitted_at=timezone.now()
    )
    # When they open their home
    text = _client(teacher).get(HOME).content.decode()
    # Then the offer comes first with its deadline, then the session with date and time
    assert text.index("Take up your place by") < text.index("Your next sessions")
    assert offered.offering.programme.title in text
    assert "Session one" in text
    assert session.starts_at.astimezone(timezone.get_current_timezone()).strftime("%H:%M") in text
    # And the task not yet done is "To do" while the submitted one is "Done", listed last
    assert text.index("Read the chapter") < text.index("Try the lesson")
    assert "To do" in text and ">Done</div>" not in text
    assert "Done" in text[text.index("Try the lesson") :]


@pytest.mark.django_db
def test_join_link_shows_only_once_released():
    teacher = TeacherFactory()
    placed = ApplicationFactory(applicant=teacher, state="accepted")
    soon = timezone.now() + datetime.timedelta(minutes=10)
    later = SessionFactory(offering=placed.offering)
    now_session = SessionFactory(
        offering=placed.offering, starts_at=soon, ends_at=soon + datetime.timedelta(hours=1)
    )
    text = _client(teacher).get(HOME).content.decode()
    assert now_session.join_url in text
    assert later.join_url not in text


@pytest.mark.django_db
def test_approver_sees_pending_releases_and_staff_session_dates():
    # Given an approver of a school with one teacher waiting and one placed with a session
    approver = UserFactory()
    waiting = ApplicationFactory(state="awaiting_school_approval")
    school = waiting.school
    RoleAssignmentFactory(user=approver, role=Role.SCHOOL_APPROVER, school=school)
    placed_teacher = TeacherFactory(school=school, full_name="Ben Placed")
    placed = ApplicationFactory(applicant=placed_teacher, state="accepted")
    SessionFactory(offering=placed.offering)
    # When they open their home
    text = _client(approver).get(HOME).content.decode()
    # Then they see the request to answer and the date their member of staff is out
    assert "Answer 1 release request" in text
    assert waiting.offering.programme.title in text
    assert "Ben Placed" in text


@pytest.mark.django_db
def test_someone_elses_school_is_not_shown_to_an_approver():
    approver = UserFactory()
    RoleAssignmentFactory(user=approver, role=Role.SCHOOL_APPROVER, school=TeacherFactory().school)
    other = ApplicationFactory(state="awaiting_school_approval")
    text = _client(approver).get(HOME).content.decode()
    assert other.applicant.email not in text and "No one is waiting for you." in text


@pytest.mark.django_db
def test_hub_inbox_counts_waiting_expiring_registers_and_completions():
    # Given a hub with a submitted application, an offer lapsing tomorrow, and an offering
    # whose only session is over with no register taken
    offering = OfferingFactory()
    staff = UserFactory()
    RoleAssignmentFactory(user=staff, role=Role.HUB_STAFF, hub=offering.hub)
    ApplicationFactory(offering=offering, state="submitted")
    expiring = ApplicationFactory(
        offering=offering,
        state="place_offered",
        offer_expires_at=timezone.now() + datetime.timedelta(days=1),
    )
    ApplicationFactory(offering=offering, state="accepted")
    session = _ended_session(offering)
    # When hub staff open their home
    text = _client(staff).get(HOME).content.decode()
    # Then each part of the inbox names what to do
    assert "Applications waiting for a decision" in text
    assert f"/backoffice/hub/applications/{expiring.pk}/" in text
    assert f"/sessions/{session.pk}/register/" in text
    assert "Completions to confirm" in text and f"/backoffice/offerings/{offering.pk}/" in text


@pytest.mark.django_db
def test_a_taken_register_leaves_the_inbox():
    offering = OfferingFactory()
    staff = UserFactory()
    RoleAssignmentFactory(user=staff, role=Role.HUB_STAFF, hub=offering.hub)
    placed = ApplicationFactory(offering=offering, state="accepted")
    session = _ended_session(offering)
    Attendance.objects.create(session=session, application=placed, status="attended")
    text = _client(staff).get(HOME).content.decode()
    assert f"/sessions/{session.pk}/register/" not in text


@pytest.mark.django_db
def test_facilitator_sees_next_sessions_and_registers_to_take():
    facilitator = UserFactory()
    offering = OfferingFactory(facilitator=facilitator)
    RoleAssignmentFactory(user=facilitator, role=Role.FACILITATOR, hub=offering.hub)
    ApplicationFactory(offering=offering, state="accepted")
    SessionFactory(offering=offering, title="Coming up")
    ended = _ended_session(offering)
    text = _client(facilitator).get(HOME).content.decode()
    assert "Sessions you run" in text and "Coming up" in text
    assert f"/sessions/{ended.pk}/register/" in text


def _everyone(hub_offering, teacher, approver, staff, facilitator, count: int) -> None:
    """Give each role `count` more rows of everything its home lists."""
    for _ in range(count):
        offering = OfferingFactory(hub=hub_offering.hub, facilitator=facilitator)
        ApplicationFactory(offering=offering, applicant=teacher, state="accepted")
        ApplicationFactory(
            offering=offering,
            state="place_offered",
            offer_expires_at=timezone.now() + datetime.timedelta(hours=5),
        )
        ApplicationFactory(offering=offering, state="submitted", school=teacher.school)
        ApplicationFactory(
            offering=offering,
            state="awaiting_school_approval",
            applicant=TeacherFactory(school=teacher.school),
        )
        SessionFactory(offering=offering)
        _ended_session(offering)
        GapTask.objects.create(
            offering=offering, title="Task", instructions="x", due_on=timezone.localdate()
        )


@pytest.mark.django_db
def test_home_query_count_is_flat_for_every_role():
    # Given one person holding every role, with a little and then a lot of everything
    hub_offering = OfferingFactory()
    teacher = TeacherFactory()
    RoleAssignmentFactory(user=teacher, role=Role.SCHOOL_APPROVER, school=teacher.school)
    RoleAssignmentFactory(user=teacher, role=Role.HUB_STAFF, hub=hub_offering.hub)
    RoleAssignmentFactory(user=teacher, role=Role.FACILITATOR, hub=hub_offering.hub)
    client = _client(teacher)
    # (more than a list shows, so each "and N more" count is in both)
    _everyone(hub_offering, teacher, teacher, teacher, teacher, SHOWN + 1)
    with CaptureQueriesContext(connection) as few:
        assert client.get(HOME).status_code == 200
    _everyone(hub_offering, teacher, teacher, teacher, teacher, 10)
    # When the page is drawn again
    with CaptureQueriesContext(connection) as many:
        assert client.get(HOME).status_code == 200
    # Then it costs the same number of queries
    assert len(many) == len(few)


def _menu(text: str) -> str:
    return text[text.index('id="navigation"') : text.index("</nav>", text.index('id="navigation"'))]


@pytest.mark.django_db
def test_navigation_follows_the_roles_a_person_holds():
    # Given a teacher, an approver and hub staff
    teacher = TeacherFactory()
    approver = UserFactory()
    RoleAssignmentFactory(user=approver, role=Role.SCHOOL_APPROVER, school=teacher.school)
    staff = UserFactory()
    RoleAssignmentFactory(user=staff, role=Role.HUB_STAFF, hub=OfferingFactory().hub)
    # When each opens a page, then the menu holds their own areas and no one else's
    teacher_menu = _menu(_client(teacher).get("/programmes/").content.decode())
    assert "Your applications" in teacher_menu
    assert "Release requests" not in teacher_menu and "Your hub" not in teacher_menu
    assert "Release requests" in _menu(_client(approver).get(HOME).content.decode())
    staff_menu = _menu(_client(staff).get(HOME).content.decode())
    assert "Your hub" in staff_menu and "Back office" not in staff_menu
    visitor_menu = _menu(Client().get("/programmes/").content.decode())
    assert "Find your hub" in visitor_menu and "Home" not in visitor_menu


@pytest.mark.django_db
def test_navigation_marks_the_current_section():
    teacher = TeacherFactory()
    text = _menu(_client(teacher).get("/account/applications/").content.decode())
    current = text[: text.index('aria-current="true"')]
    assert current.rstrip().endswith('href="/account/applications/"')


@pytest.mark.django_db
def test_staff_who_take_no_part_see_only_their_own_work():
    staff = UserFactory()
    RoleAssignmentFactory(user=staff, role=Role.HUB_STAFF, hub=OfferingFactory().hub)
    text = _client(staff).get(HOME).content.decode()
    assert "Your hub's inbox" in text and "Your next sessions" not in text
