"""Running an offering in a real browser: the facilitator takes a register and sets a gap task;
the participant hands the task in with a file. Every page passes axe-core."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cpdnet.delivery.models import Attendance, GapTask, Submission
from cpdnet.hubs.services import ensure_networks
from cpdnet.schools.services import load_local_authorities
from tests.factories import (
    ApplicationFactory,
    HubFactory,
    OfferingFactory,
    ProgrammeFactory,
    RoleAssignmentFactory,
    SessionFactory,
    TeacherFactory,
    UserFactory,
)

from .conftest import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def world(transactional_db):
    load_local_authorities()  # transactional tests empty the tables the migration filled
    maths = ensure_networks()["maths"]
    hub = HubFactory(network=maths, name="Abacus Maths Hub")
    facilitator = UserFactory(email="fran@hub.example.org", full_name="Fran Facilitator")
    RoleAssignmentFactory(user=facilitator, role="facilitator", hub=hub)
    offering = OfferingFactory(
        hub=hub,
        facilitator=facilitator,
        programme=ProgrammeFactory(network=maths, title="Primary Mastery"),
    )
    starts_at = (timezone.now() - datetime.timedelta(days=2)).replace(second=0, microsecond=0)
    session = SessionFactory(
        offering=offering,
        title="Session 1",
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(hours=2),
    )
    ada = ApplicationFactory(
        offering=offering,
        state="accepted",
        applicant=TeacherFactory(email="ada@school.example.org", full_name="Ada Lovelace"),
    )
    bob = ApplicationFactory(
        offering=offering,
        state="accepted",
        applicant=TeacherFactory(email="bob@school.example.org", full_name="Bob Babbage"),
    )
    return {
        "offering": offering,
        "session": session,
        "facilitator": facilitator,
        "ada": ada,
        "bob": bob,
    }


def test_facilitator_takes_the_register_and_sets_a_task_then_the_participant_hands_it_in(
    page, live_server, world, tmp_path
):
    sign_in(page, live_server, world["facilitator"])
    page.goto(f"{live_server.url}/backoffice/")
    page.get_by_role("link", name="Your offerings to run").click()
    assert_accessible(page)
    page.get_by_role("link", name="Primary Mastery").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Overview and progress")
    assert_accessible(page)

    page.get_by_role("link", name="Take the register").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Register: Session 1")
    assert_accessible(page)
    page.get_by_role("link", name="Mark everyone not yet marked as attended").click()
    bob_marks = page.get_by_role("group", name="Attendance of Bob Babbage")
    bob_marks.get_by_label("Excused").check()
    page.get_by_role("button", name="Save the register").click()
    expect(page.get_by_role("link", name="Give the reason Bob Babbage was excused")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Reason for Bob Babbage").fill("School trip")
    page.get_by_role("button", name="Save the register").click()

    expect(page.get_by_text("Register saved: 2 marked, 0 changed.")).to_be_visible()
    assert_accessible(page)
    assert dict(Attendance.objects.values_list("application_id", "status")) == {
        world["ada"].pk: "attended",
        world["bob"].pk: "excused",
    }

    page.get_by_role("link", name="Gap tasks").click()
    assert_accessible(page)
    page.get_by_label("Title").fill("Try a bar model")
    page.get_by_label("Instructions").fill("Teach one lesson with a bar model.")
    due = timezone.localdate() + datetime.timedelta(days=7)
    page.get_by_label("Due date").fill(due.isoformat())
    page.get_by_label("Follows session").select_option(label=f"Session 1 ({_when(world)})")
    page.get_by_role("button", name="Set the task").click()
    expect(page.get_by_text("Gap task set: Try a bar model")).to_be_visible()
    assert_accessible(page)
    assert GapTask.objects.get().session == world["session"]
    page.get_by_role("link", name="Resources").click()
    assert_accessible(page)
    page.get_by_role("link", name="Overview and progress").click()
    page.get_by_role("link", name="Ada Lovelace").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ada Lovelace")
    assert_accessible(page)

    sign_in(page, live_server, world["ada"].applicant)
    page.goto(f"{live_server.url}/account/applications/")
    page.get_by_role("link", name="Sessions, resources, gap tasks and reflections").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Primary Mastery")
    assert_accessible(page)
    page.get_by_role("link", name="Hand it in").click()
    assert_accessible(page)
    answer = tmp_path / "my work.txt"
    answer.write_text("Pupils drew bar models for fractions.\n", encoding="utf-8")
    page.get_by_label("Your answer").fill("It went well; see my notes.")
    page.get_by_label("Attach a file (optional)").set_input_files(str(answer))
    page.get_by_role("button", name="Hand it in").click()

    expect(page.get_by_text("Task handed in: Try a bar model")).to_be_visible()
    assert_accessible(page)
    submission = Submission.objects.get()
    assert (submission.application, submission.original_name) == (world["ada"], "my_work.txt")


def _when(world) -> str:
    from django.utils import formats

    return formats.date_format(timezone.localtime(world["session"].starts_at), "j M Y, H:i")
