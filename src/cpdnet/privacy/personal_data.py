"""Personal data in the task queue: results of background tasks (their arguments, return
values and errors). Tasks take ids, not addresses (STYLE.md), but an error message or a
return value may still name someone."""

from django.db.models import Q, TextField
from django.db.models.functions import Cast
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from .registry import Person, PersonalData, RetentionRun, register

# Statuses of a task no worker holds: a running one is left to finish.
NOT_RUNNING = (TaskResultStatus.READY, TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED)


@register
class TaskResults(PersonalData):
    key = "privacy.task_results"
    label = "Background task results"
    fields = (
        "django_tasks_database.DBTaskResult.args_kwargs",
        "django_tasks_database.DBTaskResult.return_value",
        "django_tasks_database.DBTaskResult.traceback",
    )
    retention_period = "task_results"
    kept_anonymised = "Nothing: finished results are deleted."

    def erase(self, person: Person) -> dict[str, int]:
        texts = {
            "args_text": Cast("args_kwargs", TextField()),
            "return_text": Cast("return_value", TextField()),
        }
        mentions = Q()
        for name in ("args_text", "return_text", "traceback"):
            mentions |= Q(**{f"{name}__icontains": person.email})
        deleted, _details = (
            DBTaskResult.objects.annotate(**texts).filter(mentions, status__in=NOT_RUNNING).delete()
        )
        return {"task_results_deleted": deleted}

    def apply_retention(self, run: RetentionRun) -> int:
        finished = DBTaskResult.objects.finished().filter(
            finished_at__lt=run.cutoff("task_results")
        )
        return run.in_batches(finished, lambda batch: batch.delete())
