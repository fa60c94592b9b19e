from django_tasks import task

from .services import expire_overdue_applications


@task()
def expire_overdue_applications_task() -> None:
    expire_overdue_applications()
