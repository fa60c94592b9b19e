from django_tasks import task

from cpdnet.applications.models import Transition

from .services import (
    send_application_emails,
    send_joining_instructions,
    send_unsent_joining_instructions,
)


@task()
def send_application_email_task(transition_id: int) -> None:
    send_application_emails(
        transition=Transition.objects.select_related(
            "application__offering__programme",
            "application__offering__hub",
            "application__offering__provider",
            "application__applicant",
        ).get(pk=transition_id)
    )


@task()
def send_joining_instructions_task(booking_id: int) -> None:
    send_joining_instructions(booking_id=booking_id)  # no-op once sent


@task()
def send_unsent_joining_instructions_task() -> None:
    send_unsent_joining_instructions()


@task()
def send_newsletter_batch_task(issue_id: int, batch: int) -> None:
    from .newsletters import send_newsletter_batch

    send_newsletter_batch(issue_id=issue_id, batch=batch)


@task()
def deliver_owed_email_task(outbox_id: int) -> None:
    from .outbox import deliver_owed_email

    deliver_owed_email(outbox_id=outbox_id)


@task()
def send_owed_emails_task() -> None:
    from .outbox import send_owed_emails

    send_owed_emails()


@task()
def send_participant_message_task(recipient_id: int) -> None:
    from .messages import send_participant_message_email

    send_participant_message_email(recipient_id=recipient_id)  # no-op once sent
