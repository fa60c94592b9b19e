"""Background tasks that failed, for national staff to see and run again.

The task queue is django-tasks-db's table: a failed task keeps its path, arguments and
traceback there. Retrying enqueues the same task with the same arguments and deletes the failed
result in the same transaction, so one failure is retried once; the audit entry keeps what it
was and why it failed.
"""

import uuid

from django.db import transaction
from django.db.models import QuerySet
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from cpdnet.audit.services import record

ERROR_SUMMARY_LENGTH = 300


def list_failed_task_results() -> QuerySet[DBTaskResult]:
    """Failed task results, most recent first."""
    return DBTaskResult.objects.filter(status=TaskResultStatus.FAILED).order_by(
        "-finished_at", "-enqueued_at"
    )


def error_summary(result: DBTaskResult) -> str:
    """The last line of the traceback: the exception and its message."""
    lines = [line.strip() for line in result.traceback.splitlines() if line.strip()]
    return (lines[-1] if lines else result.exception_class_path)[:ERROR_SUMMARY_LENGTH]


def retry_failed_task(*, result_id: uuid.UUID, by) -> DBTaskResult:
    """Enqueue a failed task again with the same arguments; raise DoesNotExist unless failed."""
    with transaction.atomic():
        failed = list_failed_task_results().select_for_update().get(pk=result_id)
        arguments = failed.args_kwargs
        retried = failed.task.enqueue(*arguments["args"], **arguments["kwargs"])
        record(
            actor=by,
            action="notifications.task.retried",
            obj=failed,
            summary=f"Retried the failed task {failed.task_name}",
            data={
                "task": failed.task_path,
                "arguments": arguments,
                "error": error_summary(failed),
                "failed_at": failed.finished_at.isoformat() if failed.finished_at else None,
                "retry_id": str(retried.id),
            },
        )
        failed.delete()
    return failed
