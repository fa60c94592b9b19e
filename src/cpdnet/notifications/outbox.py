"""The outbox: emails owed by a state change are recorded in the change's own transaction.

`owe_email(task, *args)` writes an `OutboxEmail` row and enqueues its sending when the
transaction commits. If the process dies between the commit and the enqueue, the row is still
there with an empty `sent_at`; the periodic `send_owed_emails` finds it a few minutes later and
sends it. Delivery claims the row with a conditional UPDATE, so two workers sweeping at once
never both send it, and the email task itself is keyed by event (`send_once`), so a retried
delivery sends nothing twice.
"""

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks.base import Task

from cpdnet.audit.services import record

from .models import OutboxEmail

logger = logging.getLogger(__name__)

# How long a worker holds an owed email while sending it; after that a crashed worker's claim
# lapses and the sweep sends the email again (the event key stops a double).
CLAIM_SECONDS = 10 * 60
SWEEP_BATCH_SIZE = 500
# Sent rows are kept a week for looking into a complaint, then deleted: some carry an address.
KEEP_SENT_DAYS = 7


def owe_email(task: Task, *arguments) -> OutboxEmail:
    """Record that `task(*arguments)` must run, and run it once the transaction commits."""
    from .tasks import deliver_owed_email_task

    owed = OutboxEmail.objects.create(task_path=task.module_path, arguments=list(arguments))
    owed_id = owed.pk
    transaction.on_commit(lambda: deliver_owed_email_task.enqueue(owed_id))
    return owed


def _claim(outbox_id: int, now: datetime.datetime) -> bool:
    # One UPDATE ... WHERE: of two workers racing for the row, only one changes it.
    return bool(
        OutboxEmail.objects.filter(pk=outbox_id, sent_at__isnull=True)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .update(
            claimed_until=now + datetime.timedelta(seconds=CLAIM_SECONDS),
            attempts=F("attempts") + 1,
            last_attempt_at=now,
        )
    )


def deliver_owed_email(*, outbox_id: int, now: datetime.datetime | None = None) -> bool:
    """Send one owed email unless it is sent or another worker holds it; return whether it
    was sent now. A failure is recorded on the row and raised, so the task shows as failed."""
    if not _claim(outbox_id, now or timezone.now()):
        return False
    owed = OutboxEmail.objects.get(pk=outbox_id)
    task = import_string(owed.task_path)
    if not isinstance(task, Task):
        raise TypeError(f"{owed.task_path} is not a task")
    try:
        task.call(*owed.arguments)
    except Exception as error:
        OutboxEmail.objects.filter(pk=outbox_id).update(
            claimed_until=None, last_error=f"{type(error).__name__}: {error}"[:500]
        )
        raise
    OutboxEmail.objects.filter(pk=outbox_id).update(
        sent_at=timezone.now(), claimed_until=None, last_error=""
    )
    return True


def list_overdue_owed_emails(now: datetime.datetime | None = None):
    """Owed emails still unsent a few minutes after their change, not given up on."""
    now = now or timezone.now()
    waited = now - datetime.timedelta(minutes=settings.OUTBOX_SWEEP_AFTER_MINUTES)
    return (
        OutboxEmail.objects.filter(
            sent_at__isnull=True,
            created_at__lte=waited,
            attempts__lt=settings.OUTBOX_MAX_ATTEMPTS,
        )
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .filter(Q(last_attempt_at__isnull=True) | Q(last_attempt_at__lte=waited))
        .order_by("created_at")
    )


def send_owed_emails(*, now: datetime.datetime | None = None) -> int:
    """Send the owed emails whose on-commit task never ran or failed; return how many. Delete
    the rows sent more than a week ago."""
    now = now or timezone.now()
    OutboxEmail.objects.filter(sent_at__lt=now - datetime.timedelta(days=KEEP_SENT_DAYS)).delete()
    sent = 0
    for outbox_id in list(
        list_overdue_owed_emails(now).values_list("pk", flat=True)[:SWEEP_BATCH_SIZE]
    ):
        try:
            sent += deliver_owed_email(outbox_id=outbox_id, now=now)
        except Exception:
            # Recorded on the row; one bad email must not hold up the others.
            logger.exception("Could not send owed email %s", outbox_id)
    return sent


def list_abandoned_owed_emails():
    """Owed emails the sweep stopped trying after its last attempt failed, newest first."""
    return OutboxEmail.objects.filter(
        sent_at__isnull=True, attempts__gte=settings.OUTBOX_MAX_ATTEMPTS
    ).order_by("-created_at", "-id")


def retry_owed_email(*, outbox_id: int, by) -> OutboxEmail:
    """Give an abandoned owed email a fresh set of attempts and send it now; raise
    DoesNotExist unless it was abandoned."""
    from .tasks import deliver_owed_email_task

    with transaction.atomic():
        owed = list_abandoned_owed_emails().select_for_update().get(pk=outbox_id)
        record(
            actor=by,
            action="notifications.owed_email.retried",
            obj=owed,
            summary=f"Tried again an email that could not be sent: {owed.task_name}",
            data={"attempts": owed.attempts, "error": owed.last_error},
        )
        owed.attempts, owed.last_attempt_at, owed.claimed_until = 0, None, None
        owed.save(update_fields=["attempts", "last_attempt_at", "claimed_until"])
        transaction.on_commit(lambda: deliver_owed_email_task.enqueue(outbox_id))
    return owed
