"""Nobody outside an offering reaches its register, resources, answers or reflections.

Each test tries the pages as the people who must be refused (another teacher, a participant of
another hub's offering, a withdrawn applicant, another hub's facilitator, a signed-out visitor)
beside those who may use them.
"""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from cpdnet.delivery.models import Attendance, Reflection, Resource
from cpdnet.delivery.services import (
    add_resource,
    save_reflection,
    set_gap_task,
    submit_gap_task,
)
from cpdnet.delivery.uploads import check_upload

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
RUNNERS = ["facilitator", "hub_staff", "national"]
OUTSIDE_STAFF = ["other_facilitator", "other_teacher", "participant_elsewhere", "withdrawn"]


def person(world, who: str):
    return {
        "participant": world.participant.applicant,
        "participant_elsewhere": world.other_participant.applicant,
        "withdrawn": world.withdrawn.applicant,
    }.get(who) or getattr(world, who)


@pytest.fixture
def as_(client, world):
    def sign_in(who: str):
        if who != "visitor":
            client.force_login(person(world, who))
        return client

    return sign_in


def pdf(name="handout.pdf"):
    return check_upload(SimpleUploadedFile(name, PDF))


@pytest.fixture
def resource(world):
    return add_resource(
        offering=world.offering, by=world.facilitator, title="Handout", upload=pdf()
    )


@pytest.fixture
def submission(world):
    task = set_gap_task(
        offering=world.offering,
        by=world.facilitator,
        title="Try a bar model",
        instructions="Teach one lesson with a bar model.",
        due_on=timezone.localdate() + datetime.timedelta(days=7),
    )
    return submit_gap_task(
        task=task, application=world.participant, text="It went well.", upload=pdf("my work.pdf")
    )


def register_url(world):
    return reverse(
        "backoffice:session-register",
        kwargs={"offering_id": world.offering.pk, "session_id": world.sessions[0].pk},
    )


def run_url(world):
    return reverse("backoffice:offering-run", kwargs={"offering_id": world.offering.pk})


def participant_url(world, application=None):
    return reverse(
        "backoffice:offering-participant",
        kwargs={
            "offering_id": world.offering.pk,
            "application_id": (application or world.participant).pk,
        },
    )


# The runner's pages


@pytest.mark.parametrize("who", RUNNERS)
def test_the_people_running_the_offering_see_its_pages(as_, world, who, resource, submission):
    save_reflection(application=world.participant, session=world.sessions[0], text="Thoughts")
    client = as_(who)

    for url in [
        run_url(world),
        register_url(world),
        reverse("backoffice:offering-resources", kwargs={"offering_id": world.offering.pk}),
        reverse("backoffice:offering-tasks", kwargs={"offering_id": world.offering.pk}),
        reverse(
            "backoffice:task-submissions",
            kwargs={"offering_id": world.offering.pk, "task_id": submission.task_id},
        ),
    ]:
        assert client.get(url).status_code == 200, url
    detail = client.get(participant_url(world)).content.decode()
    assert "Thoughts" in detail and "It went well." in detail
    download = client.get(
        reverse(
            "backoffice:submission-file",
            kwargs={"offering_id": world.offering.pk, "submission_id": submission.pk},
        )
    )
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF


@pytest.mark.parametrize("who", [*OUTSIDE_STAFF, "participant"])
def test_nobody_else_reaches_the_runners_pages_or_answers(as_, world, who, submission):
    client = as_(who)

    for url in [
        run_url(world),
        register_url(world),
        participant_url(world),
        reverse("backoffice:offering-resources", kwargs={"offering_id": world.offering.pk}),
        reverse(
            "backoffice:task-submissions",
            kwargs={"offering_id": world.offering.pk, "task_id": submission.task_id},
        ),
        reverse(
            "backoffice:submission-file",
            kwargs={"offering_id": world.offering.pk, "submission_id": submission.pk},
        ),
        # Another offering's number with this offering's submission must not work either.
        reverse(
            "backoffice:submission-file",
            kwargs={"offering_id": world.other_offering.pk, "submission_id": submission.pk},
        ),
    ]:
        assert client.get(url).status_code == 404, url


@pytest.mark.parametrize("who", ["other_participant", "withdrawn"])
def test_a_runner_sees_no_one_without_a_place_on_the_offering(as_, world, who):
    assert as_("facilitator").get(participant_url(world, getattr(world, who))).status_code == 404


def test_a_signed_out_visitor_is_sent_to_sign_in(as_, world):
    response = as_("visitor").get(register_url(world))

    assert response.status_code == 302
    assert reverse("accounts:sign-in") in response["Location"]


@pytest.mark.parametrize("who", OUTSIDE_STAFF)
def test_a_register_posted_from_outside_saves_nothing(as_, world, who):
    response = as_(who).post(register_url(world), {f"status-{world.participant.pk}": "absent"})

    assert response.status_code == 404
    assert not Attendance.objects.exists()


def test_the_runners_list_shows_only_offerings_a_person_runs(as_, world):
    page = as_("other_facilitator").get(reverse("backoffice:offerings-to-run"))

    assert page.status_code == 200
    assert list(page.context["offerings"]) == [world.other_offering]


# Resources


def download_url(resource):
    return reverse("public:resource-download", kwargs={"resource_id": resource.pk})


@pytest.mark.parametrize("who", ["participant", *RUNNERS])
def test_participants_and_runners_download_a_resource_safely(as_, who, resource):
    response = as_(who).get(download_url(resource))

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="handout.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF


@pytest.mark.parametrize("who", OUTSIDE_STAFF)
def test_a_resource_is_not_reachable_from_outside_the_offering(as_, who, resource):
    assert as_(who).get(download_url(resource)).status_code == 404


def test_a_signed_out_visitor_is_asked_to_sign_in_for_a_resource_or_a_missing_one(as_, resource):
    client = as_("visitor")

    assert client.get(download_url(resource)).status_code == 302
    missing = reverse("public:resource-download", kwargs={"resource_id": resource.pk + 999})
    assert client.get(missing).status_code == 302


def test_a_public_resource_is_downloadable_by_anyone(as_, world):
    resource = add_resource(
        offering=world.offering, by=world.facilitator, title="Open", upload=pdf(), is_public=True
    )

    assert as_("visitor").get(download_url(resource)).status_code == 200


def test_stored_files_are_kept_privately_and_served_by_no_path(as_, resource, media):
    stored = media / "private" / resource.stored_name

    assert stored.read_bytes() == PDF
    assert "handout" not in resource.stored_name
    for path in [f"/media/private/{resource.stored_name}", f"/media/{resource.stored_name}"]:
        assert as_("national").get(path).status_code == 404


# A participant's own pages


def my_urls(world, submission):
    offering = world.offering.pk
    return [
        reverse("public:my-offering", kwargs={"offering_id": offering}),
        reverse("public:my-task", kwargs={"offering_id": offering, "task_id": submission.task_id}),
        reverse(
            "public:my-submission-file",
            kwargs={"offering_id": offering, "task_id": submission.task_id},
        ),
        reverse(
            "public:my-reflection",
            kwargs={"offering_id": offering, "session_id": world.sessions[0].pk},
        ),
        reverse("public:my-final-reflection", kwargs={"offering_id": offering}),
        reverse("public:my-cascade", kwargs={"offering_id": offering}),
    ]


def test_the_participant_sees_their_own_pages(as_, world, submission):
    save_reflection(application=world.participant, session=world.sessions[0], text="Secret")
    client = as_("participant")

    for url in my_urls(world, submission):
        assert client.get(url).status_code == 200, url
    page = client.get(my_urls(world, submission)[0]).content.decode()
    assert "Try a bar model" in page and "Handed in" in page


@pytest.mark.parametrize("who", [*OUTSIDE_STAFF, "facilitator", "hub_staff"])
def test_nobody_else_reaches_a_participants_pages(as_, world, who, submission):
    save_reflection(application=world.participant, session=world.sessions[0], text="Secret")
    client = as_(who)

    for url in my_urls(world, submission):
        response = client.get(url)
        assert response.status_code == 404, url
        assert b"Secret" not in response.content


@pytest.mark.parametrize("who", OUTSIDE_STAFF)
def test_a_reflection_posted_from_outside_saves_nothing(as_, world, who):
    url = reverse(
        "public:my-reflection",
        kwargs={"offering_id": world.offering.pk, "session_id": world.sessions[0].pk},
    )

    assert as_(who).post(url, {"text": "Intruder"}).status_code == 404
    assert not Reflection.objects.exists()


def test_a_signed_out_visitor_is_sent_to_sign_in_for_a_participants_pages(as_, world, submission):
    client = as_("visitor")

    for url in my_urls(world, submission):
        assert client.get(url).status_code == 302, url


@pytest.mark.parametrize("who", OUTSIDE_STAFF)
def test_completion_and_removals_posted_from_outside_change_nothing(as_, world, who, resource):
    client = as_(who)
    offering = world.offering.pk

    complete = client.post(
        reverse("backoffice:offering-complete", kwargs={"offering_id": offering})
    )
    remove = client.post(
        reverse(
            "backoffice:resource-delete",
            kwargs={"offering_id": offering, "resource_id": resource.pk},
        )
    )

    assert (complete.status_code, remove.status_code) == (404, 404)
    world.participant.refresh_from_db()
    assert world.participant.state == "accepted"
    assert Resource.objects.filter(pk=resource.pk).exists()
