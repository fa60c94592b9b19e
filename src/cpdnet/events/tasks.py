from django_tasks import task

from .models import Registration
from .services import send_registration_email


@task()
def send_registration_email_task(registration_id: int, event: str) -> None:
    send_registration_email(
        registration=Registration.objects.select_related(
            "offering__programme", "offering__hub", "school"
        ).get(pk=registration_id),
        event=event,
    )
