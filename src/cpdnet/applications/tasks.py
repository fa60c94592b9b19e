from django_tasks import task

from .emails import SENDERS
from .services import expire_overdue_applications


@task()
def expire_overdue_applications_task() -> None:
    expire_overdue_applications()


@task()
def send_enrolment_email_task(kind: str, object_id: int) -> None:
    SENDERS[kind](object_id)  # each email is sent once (keyed by its event)
