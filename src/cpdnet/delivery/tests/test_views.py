"""The runner's and the participant's pages: forms, errors, and query counts that do not grow
with the number of participants."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from cpdnet.delivery.models import (
    Attendance,
    AttendanceChange,
    Cascade,
    GapTask,
    Reflection,
    Resource,
    Submission,
)
from cpdnet.delivery.services import Mark, save_register, set_gap_task
from tests.factories import ApplicationFactory, SessionFactory

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100


@pytest.fixture
def runner(client, world):
    client.force_login(world.facilitator)
    return client


@pytest.fixture
def participant(client, world):
    client.force_login(world.participant.applicant)
    return client


def register_url(world, session=None):
    return reverse(
        "backoffice:session-register",
        kwargs={
            "offering_id": world.offering.pk,
            "session_id": (session or world.sessions[0]).pk,
        },
    )


def test_the_whole_register_is_saved_in_one_post(runner, world):
    second = ApplicationFactory(offering=world.offering, state="accepted")

    response = runner.post(
        register_url(world),
        {
            f"status-{world.participant.pk}": "attended",
            f"status-{second.pk}": "excused",
            f"reason-{second.pk}": "Ill",
        },
    )

    assert response.status_code == 302
    assert dict(Attendance.objects.values_list("application_id", "status")) == {
        world.participant.pk: "attended",
        second.pk: "excused",
    }


def test_an_excused_absence_without_a_reason_shows_an_error_and_saves_nothing(runner, world):
    second = ApplicationFactory(offering=world.offering, state="accepted")

    response = runner.post(
        register_url(world),
        {f"status-{world.participant.pk}": "attended", f"status-{second.pk}": "excused"},
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert f"Give the reason {second.applicant.get_full_name()} was excused" in page
    assert not Attendance.objects.exists()


def test_an_unmarked_participant_is_named_in_the_error(runner, world):
    response = runner.post(register_url(world), {})

    assert "Mark Ada Lovelace attended, absent or excused" in response.content.decode()
    assert not Attendance.objects.exists()


def test_mark_all_attended_fills_in_only_those_not_yet_marked(runner, world):
    second = ApplicationFactory(offering=world.offering, state="accepted")
    save_register(
        session=world.sessions[0],
        marks={world.participant.pk: Mark("absent"), second.pk: Mark("absent")},
        by=world.facilitator,
    )
    third = ApplicationFactory(offering=world.offering, state="accepted")

    form = runner.get(register_url(world) + "?prefill=attended").context["form"]

    assert form[f"status-{world.participant.pk}"].value() == "absent"
    assert form[f"status-{third.pk}"].value() == "attended"


def test_a_correction_shows_in_the_registers_history(runner, world):
    save_register(
        session=world.sessions[0],
        marks={world.participant.pk: Mark("absent")},
        by=world.facilitator,
    )

    runner.post(register_url(world), {f"status-{world.participant.pk}": "attended"})

    assert AttendanceChange.objects.count() == 2
    assert "Absent to attended" in runner.get(register_url(world)).content.decode()


def test_a_file_whose_content_is_not_its_name_is_refused_with_a_reason(runner, world):
    url = reverse("backoffice:offering-resources", kwargs={"offering_id": world.offering.pk})

    response = runner.post(url, {"title": "Slides", "file": SimpleUploadedFile("slides.pdf", PNG)})

    assert response.status_code == 200
    assert "is not what its name says" in response.content.decode()
    assert not Resource.objects.exists()


def test_a_runner_adds_a_link_and_a_file(runner, world):
    url = reverse("backoffice:offering-resources", kwargs={"offering_id": world.offering.pk})

    runner.post(url, {"title": "Guide", "url": "https://example.org/guide"})
    runner.post(
        url,
        {
            "title": "Notes",
            "file": SimpleUploadedFile("../../notes.txt", b"Notes\n"),
            "session": world.sessions[1].pk,
            "is_public": "on",
        },
    )

    link, notes = Resource.objects.order_by("pk")
    assert link.url == "https://example.org/guide"
    assert (notes.original_name, notes.session, notes.is_public) == (
        "notes.txt",
        world.sessions[1],
        True,
    )


def test_a_runner_sets_a_gap_task_after_a_session(runner, world):
    due = timezone.localdate() + datetime.timedelta(days=14)

    response = runner.post(
        reverse("backoffice:offering-tasks", kwargs={"offering_id": world.offering.pk}),
        {
            "title": "Try a bar model",
            "instructions": "Teach one lesson.",
            "due_on": due.isoformat(),
            "session": world.sessions[2].pk,
        },
    )

    assert response.status_code == 302
    task = GapTask.objects.get()
    assert (task.due_on, task.session, task.set_by) == (due, world.sessions[2], world.facilitator)


def test_a_due_date_in_the_past_is_refused(runner, world):
    response = runner.post(
        reverse("backoffice:offering-tasks", kwargs={"offering_id": world.offering.pk}),
        {"title": "Late", "instructions": "x", "due_on": "2020-01-01"},
    )

    assert "The due date must be today or later" in response.content.decode()
    assert not GapTask.objects.exists()


def test_confirming_completion_from_the_progress_page(runner, world):
    response = runner.post(
        reverse("backoffice:offering-complete", kwargs={"offering_id": world.offering.pk})
    )

    assert response.status_code == 302
    world.participant.refresh_from_db()
    assert world.participant.state == "not_completed"


@pytest.mark.parametrize("count", [3, 30])
def test_the_progress_page_asks_the_same_number_of_queries_for_3_or_30_participants(
    runner, world, count, django_assert_max_num_queries
):
    for session in world.sessions:
        for _ in range(count):
            application = ApplicationFactory(offering=world.offering, state="accepted")
            Attendance.objects.create(application=application, session=session, status="attended")
    Cascade.objects.create(application=world.participant, colleagues_involved=2)
    Reflection.objects.create(application=world.participant, is_final=True, text="Done")

    # Session, person, roles, offering, sessions with counts, rule, progress, the latest
    # completion confirmation: 9 whatever the number of participants.
    with django_assert_max_num_queries(9):
        response = runner.get(
            reverse("backoffice:offering-run", kwargs={"offering_id": world.offering.pk})
        )

    assert len(response.context["progress"].participants) == 3 * count + 1


# The participant's pages


def test_the_participant_hands_in_a_task_with_a_file(participant, world):
    task = set_gap_task(
        offering=world.offering,
        by=world.facilitator,
        title="Try it",
        instructions="Try it in class.",
        due_on=timezone.localdate(),
    )
    url = reverse("public:my-task", kwargs={"offering_id": world.offering.pk, "task_id": task.pk})

    response = participant.post(
        url, {"text": "Done", "file": SimpleUploadedFile("work.csv", b"a,b\n1,2\n")}
    )

    assert response.status_code == 302
    submission = Submission.objects.get()
    assert (submission.text, submission.original_name) == ("Done", "work.csv")


def test_an_empty_answer_shows_an_error(participant, world):
    task = set_gap_task(
        offering=world.offering,
        by=world.facilitator,
        title="Try it",
        instructions="Try it in class.",
        due_on=timezone.localdate(),
    )
    url = reverse("public:my-task", kwargs={"offering_id": world.offering.pk, "task_id": task.pk})

    response = participant.post(url, {"text": ""})

    assert "Write your answer or attach a file" in response.content.decode()
    assert not Submission.objects.exists()


def test_the_participant_records_the_cascade(participant, world):
    url = reverse("public:my-cascade", kwargs={"offering_id": world.offering.pk})

    participant.post(url, {"colleagues_involved": "3", "classes_reached": "4"})
    participant.post(
        url, {"colleagues_involved": "5", "classes_reached": "4", "year_groups": "Year 9"}
    )

    cascade = Cascade.objects.get()
    assert (cascade.colleagues_involved, cascade.year_groups) == (5, "Year 9")


def test_a_negative_count_shows_an_error(participant, world):
    url = reverse("public:my-cascade", kwargs={"offering_id": world.offering.pk})

    response = participant.post(url, {"colleagues_involved": "-1", "classes_reached": "x"})

    page = response.content.decode()
    assert "The number of colleagues cannot be below 0" in page
    assert "Enter the number of classes as a whole number" in page
    assert not Cascade.objects.exists()


def test_the_participants_page_shows_their_progress_and_links_their_sessions(participant, world):
    save_register(
        session=world.sessions[0],
        marks={world.participant.pk: Mark("attended")},
        by=world.facilitator,
    )

    page = participant.get(
        reverse("public:my-offering", kwargs={"offering_id": world.offering.pk})
    ).content.decode()

    assert "Attended 1 of the 3 sessions required." in page
    assert reverse("public:session", kwargs={"session_id": world.sessions[0].pk}) in page


def test_your_applications_links_to_the_offering_page_of_a_place(participant, world):
    page = participant.get(reverse("public:my-applications")).content.decode()

    assert reverse("public:my-offering", kwargs={"offering_id": world.offering.pk}) in page


@pytest.mark.parametrize("count", [3, 30])
def test_the_register_asks_the_same_number_of_queries_for_3_or_30_participants(
    runner, world, count, django_assert_max_num_queries
):
    for _ in range(count):
        application = ApplicationFactory(offering=world.offering, state="accepted")
        Attendance.objects.create(
            application=application, session=world.sessions[0], status="attended"
        )

    with django_assert_max_num_queries(9):
        response = runner.get(register_url(world))

    assert len(response.context["form"].participants) == count + 1


@pytest.mark.parametrize(
    ("who", "sees_link"),
    [("facilitator", True), ("hub_staff", True), ("other_teacher", False)],
)
def test_the_back_office_index_links_the_offerings_a_person_runs(client, world, who, sees_link):
    client.force_login(getattr(world, who))

    page = client.get(reverse("backoffice:index")).content.decode()

    assert (reverse("backoffice:offerings-to-run") in page) is sees_link


def test_the_participants_page_links_the_surveys_and_session_feedback(participant, world):
    page = participant.get(
        reverse("public:my-offering", kwargs={"offering_id": world.offering.pk})
    ).content.decode()

    assert (
        reverse("public:survey", kwargs={"offering_id": world.offering.pk, "kind": "start"}) in page
    )
    assert reverse("public:session-feedback", kwargs={"session_id": world.sessions[0].pk}) in page


def test_a_register_for_a_session_not_yet_started_needs_a_confirmation(runner, world):
    # Given a session next week
    upcoming = SessionFactory(offering=world.offering)
    marks = {f"status-{world.participant.pk}": "attended"}
    # When the runner opens and saves its register
    page = runner.get(register_url(world, upcoming)).content.decode()
    assert "This session has not happened yet." in page
    refused = runner.post(register_url(world, upcoming), marks)
    # Then it is refused with the reason, nothing saved, until they confirm
    assert refused.status_code == 200
    assert "This session has not started yet." in refused.content.decode()
    assert not Attendance.objects.filter(session=upcoming).exists()
    saved = runner.post(register_url(world, upcoming), {**marks, "before_start": "yes"})
    assert saved.status_code == 302
    assert Attendance.objects.filter(session=upcoming).count() == 1


def test_a_paper_register_lists_every_participant_to_sign(runner, world):
    second = ApplicationFactory(offering=world.offering, state="accepted")
    text = runner.get(register_url(world), {"sheet": "print"}).content.decode()
    assert "Sign beside your name" in text
    assert world.participant.applicant.get_full_name() in text
    assert second.applicant.get_full_name() in text


def run_url(world):
    return reverse("backoffice:offering-run", kwargs={"offering_id": world.offering.pk})


def test_completion_is_previewed_with_who_completes_and_why_not(runner, world):
    # Given three past sessions and a participant with no marks or reflection
    text = runner.get(run_url(world)).content.decode()
    # Then the page says who will not complete and why, before the button
    name = world.participant.applicant.get_full_name()
    section = text[text.index("Will not complete (1)") :]
    assert name in section[: section.index("</ul>")]
    assert "Confirm completion for 1 participant" in text


def test_completion_is_not_offered_before_the_last_session(runner, world):
    SessionFactory(offering=world.offering)  # next week
    text = runner.get(run_url(world)).content.decode()
    assert "You can confirm completion once the last session has ended" in text
    assert "Confirm completion for" not in text
