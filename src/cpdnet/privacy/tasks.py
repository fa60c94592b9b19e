from django_tasks import task

from .services import apply_retention


@task()
def apply_retention_task() -> None:
    apply_retention()
