"""A request's id is returned to the caller, logged as JSON and carried into its tasks."""

import copy
import io
import json
import logging
import logging.config

import pytest
from django_guid import clear_guid, get_guid, set_guid
from django_tasks_db.models import DBTaskResult

from cpdnet.notifications.tasks import send_newsletter_batch_task
from cpdnet.operations.request_ids import adopt_request_id, forget_request_id

pytestmark = pytest.mark.django_db


def test_the_request_id_from_the_proxy_comes_back_in_the_answer(client):
    response = client.get("/find-your-hub/", headers={"X-Request-ID": "0123456789abcdef"})

    assert response.headers["X-Request-ID"] == "0123456789abcdef"


def test_a_task_enqueued_during_a_request_is_run_under_the_requests_id(settings):
    settings.TASKS = {
        "default": {"BACKEND": "cpdnet.operations.request_ids.RequestTracingDatabaseBackend"}
    }
    # Given a task enqueued while request "req-42" was being answered
    set_guid("req-42")
    result = send_newsletter_batch_task.enqueue(1, 0)
    clear_guid()
    stored = DBTaskResult.objects.get(pk=result.id)

    # When a worker starts it
    adopt_request_id(sender=None, task_result=stored.task_result)
    during = get_guid()
    forget_request_id(sender=None, task_result=stored.task_result)

    # Then its logs carry that id, and the next task starts without it
    assert stored.task_result.args == [1, 0]
    assert during == "req-42"
    assert get_guid() is None


def test_log_lines_are_json_with_the_request_id(settings):
    # Given the project's logging configuration, writing to a buffer
    stream = io.StringIO()
    config = copy.deepcopy(settings.LOGGING)
    config["handlers"]["console"]["stream"] = stream
    logging.config.dictConfig(config)
    set_guid("req-7")
    try:
        logging.getLogger("cpdnet.anything").warning("Something to look at")
    finally:
        clear_guid()
        logging.config.dictConfig(settings.LOGGING)

    line = json.loads(stream.getvalue().splitlines()[-1])
    assert line["message"] == "Something to look at"
    assert line["correlation_id"] == "req-7"
    assert line["level"] == "WARNING"
    assert line["logger"] == "cpdnet.anything"
