"""Resources, gap tasks and answers, reflections and cascade records, and a person's data."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cpdnet.accounts.selectors import export_person
from cpdnet.accounts.services import erase_person
from cpdnet.audit.models import AuditEntry
from cpdnet.delivery.models import Cascade, Reflection, Resource, Submission
from cpdnet.delivery.services import (
    DeliveryError,
    add_resource,
    delete_resource,
    save_cascade,
    save_reflection,
    set_gap_task,
    submit_gap_task,
)
from cpdnet.delivery.uploads import check_upload
from tests.factories import SessionFactory

TEXT = b"My answer, in a file.\n"


def text_file(name="answer.txt", content=TEXT):
    return check_upload(SimpleUploadedFile(name, content))


@pytest.fixture
def task(world):
    return set_gap_task(
        offering=world.offering,
        by=world.facilitator,
        title="Try a bar model",
        instructions="Teach one lesson with a bar model.",
        due_on=timezone.localdate() + datetime.timedelta(days=7),
        session=world.sessions[-1],
    )


def stored(media, name):
    return media / "private" / name


# Resources


def test_a_resource_is_a_link_or_a_file_and_is_audited(world):
    link = add_resource(
        offering=world.offering, by=world.facilitator, title="NCETM", url="https://example.org/"
    )

    assert link.url and not link.has_file
    assert AuditEntry.objects.filter(action="delivery.resource.added").count() == 1
    with pytest.raises(DeliveryError, match="either a link or a file"):
        add_resource(offering=world.offering, by=world.facilitator, title="Both")
    with pytest.raises(DeliveryError, match="either a link or a file"):
        add_resource(
            offering=world.offering,
            by=world.facilitator,
            title="Both",
            url="https://example.org/",
            upload=text_file(),
        )


def test_a_resource_for_another_offerings_session_is_refused(world):
    elsewhere = SessionFactory(offering=world.other_offering)

    with pytest.raises(DeliveryError, match="not one of this offering"):
        add_resource(
            offering=world.offering,
            by=world.facilitator,
            title="Wrong",
            url="https://example.org/",
            session=elsewhere,
        )
    assert not Resource.objects.exists()


def test_deleting_a_resource_deletes_its_file(world, media, django_capture_on_commit_callbacks):
    resource = add_resource(
        offering=world.offering, by=world.facilitator, title="Notes", upload=text_file()
    )
    path = stored(media, resource.stored_name)
    assert path.exists()

    with django_capture_on_commit_callbacks(execute=True):
        delete_resource(resource=resource, by=world.facilitator)

    assert not path.exists()
    assert not Resource.objects.exists()


# Gap tasks


def test_a_participant_hands_in_and_hands_in_again_replacing_the_file(
    world, task, media, django_capture_on_commit_callbacks
):
    first = submit_gap_task(
        task=task, application=world.participant, text="First go", upload=text_file()
    )
    first_file = stored(media, first.stored_name)

    with django_capture_on_commit_callbacks(execute=True):
        again = submit_gap_task(
            task=task,
            application=world.participant,
            text="Second go",
            upload=text_file("better.txt", b"Better\n"),
        )

    assert again.pk == first.pk
    assert Submission.objects.get().text == "Second go"
    assert again.original_name == "better.txt"
    assert not first_file.exists()
    assert stored(media, again.stored_name).read_bytes() == b"Better\n"


def test_handing_in_text_only_keeps_the_earlier_file(world, task, media):
    first = submit_gap_task(task=task, application=world.participant, text="", upload=text_file())

    again = submit_gap_task(task=task, application=world.participant, text="Added a note")

    assert again.stored_name == first.stored_name
    assert stored(media, again.stored_name).exists()


def test_nothing_can_be_handed_in_after_the_due_date(world, task):
    the_day_after = timezone.now() + datetime.timedelta(days=8)

    with pytest.raises(DeliveryError, match="due date has passed"):
        submit_gap_task(task=task, application=world.participant, text="Late", now=the_day_after)


def test_the_due_date_is_a_london_day(world, task):
    # 23:30 UTC on the due date in summer is already the next day in London.
    due = datetime.date(2027, 6, 1)
    task.due_on = due
    last_minute = datetime.datetime(2027, 6, 1, 22, 30, tzinfo=datetime.UTC)  # 23:30 BST
    too_late = datetime.datetime(2027, 6, 1, 23, 30, tzinfo=datetime.UTC)  # 00:30 BST

    submit_gap_task(task=task, application=world.participant, text="Just", now=last_minute)
    with pytest.raises(DeliveryError):
        submit_gap_task(task=task, application=world.participant, text="Late", now=too_late)


@pytest.mark.parametrize("who", ["other_participant", "withdrawn"])
def test_only_the_offerings_participants_hand_in_its_tasks(world, task, who):
    with pytest.raises(DeliveryError, match="participants"):
        submit_gap_task(task=task, application=getattr(world, who), text="Mine")


def test_an_empty_answer_is_refused(world, task):
    with pytest.raises(DeliveryError, match="Write your answer"):
        submit_gap_task(task=task, application=world.participant, text="   ")


# Reflections and cascade


def test_a_session_reflection_is_written_once_and_rewritten_in_place(world):
    session = world.sessions[0]

    save_reflection(application=world.participant, session=session, text="First thoughts")
    save_reflection(application=world.participant, session=session, text="Second thoughts")
    save_reflection(application=world.participant, text="Final")

    assert list(Reflection.objects.values_list("text", "is_final")) == [
        ("Second thoughts", False),
        ("Final", True),
    ]


def test_a_session_cannot_be_reflected_on_before_it_starts(world):
    upcoming = SessionFactory(offering=world.offering)

    with pytest.raises(DeliveryError, match="once it has started"):
        save_reflection(application=world.participant, session=upcoming, text="Early")


def test_a_reflection_on_another_offerings_session_is_refused(world):
    elsewhere = SessionFactory(
        offering=world.other_offering,
        starts_at=world.sessions[0].starts_at,
        ends_at=world.sessions[0].ends_at,
    )

    with pytest.raises(DeliveryError):
        save_reflection(application=world.participant, session=elsewhere, text="Wrong")


def test_the_cascade_record_is_one_per_place_updated_in_place(world):
    save_cascade(application=world.participant, colleagues_involved=2, classes_reached=3)

    save_cascade(
        application=world.participant,
        colleagues_involved=4,
        classes_reached=6,
        year_groups="Year 7, Year 8",
        notes="Department meeting",
    )

    cascade = Cascade.objects.get()
    assert (cascade.colleagues_involved, cascade.classes_reached) == (4, 6)
    assert cascade.year_groups == "Year 7, Year 8"


# Data rights


@pytest.fixture
def work(world, task):
    save_reflection(application=world.participant, session=world.sessions[0], text="Reflected")
    save_reflection(application=world.participant, text="Final words")
    save_cascade(
        application=world.participant, colleagues_involved=3, classes_reached=5, notes="Shared"
    )
    return submit_gap_task(
        task=task, application=world.participant, text="My answer", upload=text_file()
    )


def test_a_persons_export_holds_their_answers_reflections_and_cascade(world, work):
    exported = export_person(world.participant.applicant)

    assert [answer["text"] for answer in exported["gap_task_answers"]] == ["My answer"]
    assert exported["gap_task_answers"][0]["file_name"] == "answer.txt"
    assert {r["text"] for r in exported["reflections"]} == {"Reflected", "Final words"}
    assert exported["cascade"][0]["notes"] == "Shared"
    assert "attendance" in exported


def test_another_persons_export_holds_none_of_it(world, work):
    exported = export_person(world.other_teacher)

    assert exported["gap_task_answers"] == exported["reflections"] == exported["cascade"] == []


def test_erasure_deletes_answers_reflections_and_files_and_keeps_cascade_numbers(
    world, work, media, django_capture_on_commit_callbacks
):
    path = stored(media, work.stored_name)

    with django_capture_on_commit_callbacks(execute=True):
        erase_person(user=world.participant.applicant)

    assert not path.exists()
    assert not Submission.objects.exists()
    assert not Reflection.objects.exists()
    # Impact counts cascade numbers, so they stay without the person's words.
    cascade = Cascade.objects.get()
    assert (cascade.colleagues_involved, cascade.classes_reached, cascade.notes) == (3, 5, "")
    erased = AuditEntry.objects.get(action="accounts.person.erased")
    assert erased.data["submissions_deleted"] == 1
    assert erased.data["reflections_deleted"] == 2
