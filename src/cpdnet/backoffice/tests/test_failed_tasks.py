"""Failed background tasks: national staff see them and run them again; nobody else can."""

import datetime
import uuid

import pytest
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

from cpdnet.applications.services import decide_application
from cpdnet.audit.models import AuditEntry
from cpdnet.notifications.models import OutboxEmail
from cpdnet.notifications.tasks import deliver_owed_email_task
from tests.factories import ApplicationFactory

from .helpers import count_queries

URL = "/backoffice/tasks/failed/"
TRACEBACK = (
    "Traceback (most recent call last):\n"
    '  File "smtplib.py", line 1, in send\n'
    "smtplib.SMTPServerDisconnected: Connection lost\n"
)


def failed_result(task_path: str, args: list, *, minutes_ago: int = 5) -> DBTaskResult:
    when = timezone.now() - datetime.timedelta(minutes=minutes_ago)
    return DBTaskResult.objects.create(
        status=TaskResultStatus.FAILED,
        task_path=task_path,
        args_kwargs={"args": args, "kwargs": {}},
        queue_name="default",
        backend_name="default",
        run_after=get_date_max(),  # as stored for a task enqueued to run at once
        started_at=when,
        finished_at=when,
        exception_class_path="smtplib.SMTPServerDisconnected",
        traceback=TRACEBACK,
    )


@pytest.fixture
def owed_email(django_capture_on_commit_callbacks):
    """An accepted application whose email task failed (the mail server was away)."""
    application = ApplicationFactory(state="submitted")
    with django_capture_on_commit_callbacks(execute=False):
        decide_application(application=application, decision="accept", by=None)
    owed = OutboxEmail.objects.get()
    return failed_result(deliver_owed_email_task.module_path, [owed.pk])


def test_national_staff_see_each_failed_task_with_when_what_and_why(
    hub_world, signed_in, owed_email
):
    older = failed_result("cpdnet.programmes.tasks.send_recording_emails_task", [7], minutes_ago=60)

    response = signed_in(hub_world.national).get(URL)

    assert response.status_code == 200
    rows = response.context["rows"]
    assert [row["result"].pk for row in rows] == [owed_email.pk, older.pk]
    assert rows[0]["error"] == "smtplib.SMTPServerDisconnected: Connection lost"
    text = response.content.decode()
    assert "deliver_owed_email_task" in text
    assert "send_recording_emails_task" in text
    assert "Try again" in text


def test_hub_staff_are_refused_the_failed_tasks_and_cannot_retry_one(
    hub_world, signed_in, owed_email, mailoutbox
):
    # The denied twin: the same failed task, seen and retried by hub staff
    client = signed_in(hub_world.staff_a)

    assert client.get(URL).status_code == 403
    assert client.post(f"{URL}{owed_email.pk}/retry/").status_code == 403
    assert DBTaskResult.objects.filter(pk=owed_email.pk).exists()
    assert mailoutbox == []


def test_retrying_runs_the_same_task_again_once_and_is_audited(
    hub_world, signed_in, owed_email, mailoutbox
):
    client = signed_in(hub_world.national)

    # When national staff try the failed email again (the mail server is back)
    response = client.post(f"{URL}{owed_email.pk}/retry/")

    # Then the email is sent, the failure leaves the list, and the retry is audited
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    assert OutboxEmail.objects.get().sent_at is not None
    assert not DBTaskResult.objects.filter(pk=owed_email.pk).exists()
    entry = AuditEntry.objects.get(action="notifications.task.retried")
    assert entry.actor == hub_world.national
    assert entry.object_id == str(owed_email.pk)
    assert entry.data["error"] == "smtplib.SMTPServerDisconnected: Connection lost"
    assert entry.data["arguments"] == {"args": [OutboxEmail.objects.get().pk], "kwargs": {}}
    assert "will run again shortly" in client.get(response.url).content.decode()

    # And retrying the same failure again finds nothing to retry
    assert client.post(f"{URL}{owed_email.pk}/retry/").status_code == 404
    assert len(mailoutbox) == 1


def test_retrying_a_task_that_did_not_fail_or_does_not_exist_is_not_found(hub_world, signed_in):
    succeeded = failed_result("cpdnet.programmes.tasks.send_recording_emails_task", [7])
    succeeded.status = TaskResultStatus.SUCCESSFUL
    succeeded.save()
    client = signed_in(hub_world.national)

    assert client.post(f"{URL}{succeeded.pk}/retry/").status_code == 404
    assert client.post(f"{URL}{uuid.uuid4()}/retry/").status_code == 404
    assert client.get(f"{URL}{succeeded.pk}/retry/").status_code == 405


def test_the_list_has_pages(hub_world, signed_in):
    for number in range(51):
        failed_result("cpdnet.programmes.tasks.send_recording_emails_task", [number])

    response = signed_in(hub_world.national).get(URL + "?page=2")

    assert len(response.context["rows"]) == 1
    assert "Page 2 of 2" in response.content.decode()


@pytest.mark.parametrize("count", [3, 30])
def test_the_list_takes_the_same_queries_however_many_failures(hub_world, signed_in, count):
    for number in range(count):
        failed_result("cpdnet.programmes.tasks.send_recording_emails_task", [number])

    assert count_queries(signed_in(hub_world.national), URL) == 6


def test_the_back_office_index_links_national_staff_to_the_failed_tasks(hub_world, signed_in):
    assert URL in signed_in(hub_world.national).get("/backoffice/").content.decode()
    assert URL not in signed_in(hub_world.staff_a).get("/backoffice/").content.decode()


@pytest.fixture
def abandoned_email(owed_email, settings):
    """An owed email the sweep tried as often as it will, failing each time."""
    owed = OutboxEmail.objects.get()
    owed.attempts = settings.OUTBOX_MAX_ATTEMPTS
    owed.last_error = "SMTPServerDisconnected: Connection lost"
    owed.save()
    return owed


def test_emails_the_sweep_gave_up_on_are_listed_and_sent_when_tried_again(
    hub_world, signed_in, abandoned_email, django_capture_on_commit_callbacks, mailoutbox
):
    client = signed_in(hub_world.national)

    # Given an email the sweep no longer tries, then national staff see it with its error
    text = client.get(URL).content.decode()
    assert "Emails no longer being tried" in text
    assert "SMTPServerDisconnected: Connection lost" in text

    # When they try it again, then it is sent once and the retry is audited
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/backoffice/tasks/emails/{abandoned_email.pk}/retry/")

    assert response.status_code == 302
    assert len(mailoutbox) == 1
    abandoned_email.refresh_from_db()
    assert abandoned_email.sent_at is not None
    entry = AuditEntry.objects.get(action="notifications.owed_email.retried")
    assert (entry.actor, entry.data["attempts"]) == (hub_world.national, 5)
    assert "Emails no longer being tried" not in client.get(URL).content.decode()
    # And it cannot be retried again
    assert client.post(f"/backoffice/tasks/emails/{abandoned_email.pk}/retry/").status_code == 404


def test_hub_staff_cannot_retry_an_abandoned_email(hub_world, signed_in, abandoned_email):
    response = signed_in(hub_world.staff_a).post(
        f"/backoffice/tasks/emails/{abandoned_email.pk}/retry/"
    )

    assert response.status_code == 403
    abandoned_email.refresh_from_db()
    assert abandoned_email.attempts == 5
