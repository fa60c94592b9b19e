"""The id of a web request follows it into the tasks it enqueues, so that the JSON logs of a
worker can be joined to the request that caused the work.

django-guid gives every request an id (taken from nginx's X-Request-ID, or made) and puts it on
each log record as `correlation_id`. The task backend below stores that id beside the task's
arguments; the worker takes it back when it starts the task.
"""

import logging

from django_guid import clear_guid, get_guid, set_guid
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.compat import normalize_json

logger = logging.getLogger(__name__)

REQUEST_ID_KEY = "request_id"


class RequestTracingDatabaseBackend(DatabaseBackend):
    """django-tasks-db's database queue, recording the enqueuing request's id with each task."""

    def _task_to_db_task(self, task, args, kwargs):
        from django_tasks_db.models import DBTaskResult

        # As DatabaseBackend._task_to_db_task, with the request id in the stored arguments: the
        # worker reads only their "args" and "kwargs" keys, so the extra key changes no call.
        db_result = DBTaskResult.objects.create(
            id=self._get_id(),
            args_kwargs=normalize_json(
                {"args": args, "kwargs": kwargs, REQUEST_ID_KEY: get_guid()}
            ),
            priority=task.priority,
            task_path=task.module_path,
            queue_name=task.queue_name,
            run_after=task.run_after,
            backend_name=self.alias,
        )
        logger.info("Task enqueued", extra={"task_id": str(db_result.id), "task": task.name})
        return db_result


def adopt_request_id(sender, task_result, **kwargs) -> None:
    """In a worker: log the task under the id of the request that enqueued it."""
    db_result = getattr(task_result, "db_result", None)
    request_id = db_result.args_kwargs.get(REQUEST_ID_KEY) if db_result is not None else None
    if request_id:
        set_guid(request_id)
    logger.info(
        "Task started", extra={"task_id": str(task_result.id), "task": task_result.task.name}
    )


def forget_request_id(sender, task_result, **kwargs) -> None:
    # Only in a worker: in a web process (immediate backend) the request keeps its id.
    if getattr(task_result, "db_result", None) is not None:
        clear_guid()
