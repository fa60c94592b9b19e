"""Session emails and the periodic sweeps that release join links, remind and send recordings.

Every task is idempotent: each email is keyed by its event (`notifications.send_once`), so a
retried or doubled task sends nothing twice.
"""

from django_tasks import task

from . import services
from .selectors import get_session, list_sessions_due_join_link, list_sessions_due_reminder

# The periodic sweeps fan out one task per session, so that a busy hour's emails are shared
# between workers and one slow session does not hold up the rest.


@task()
def release_join_links_task() -> None:
    for session_id in list_sessions_due_join_link().values_list("pk", flat=True):
        send_once_only_task.enqueue(services.OnceOnly.JOIN_LINK, session_id)


@task()
def send_session_reminders_task() -> None:
    for session_id in list_sessions_due_reminder().values_list("pk", flat=True):
        send_once_only_task.enqueue(services.OnceOnly.REMINDER, session_id)


@task()
def send_once_only_task(kind: str, session_id: int) -> None:
    services.send_once_only(kind=services.OnceOnly(kind), session_id=session_id)


@task()
def send_due_recordings_task() -> None:
    services.send_due_recordings()


@task()
def send_recording_emails_task(session_id: int) -> None:
    services.send_once_only(kind=services.OnceOnly.RECORDING, session_id=session_id)


@task()
def send_session_change_emails_task(session_id: int, sequence: int, changed: list[str]) -> None:
    from cpdnet.notifications.sessions import send_change_emails

    session = get_session(session_id)
    # A later change has its own email with the latest details; this one would repeat them.
    if session.sequence != sequence or session.is_cancelled:
        return
    send_change_emails(session=session, changed=changed)


@task()
def send_session_cancelled_emails_task(session_id: int) -> None:
    from cpdnet.notifications.sessions import send_cancellation_emails

    session = get_session(session_id)
    if session.is_cancelled:
        send_cancellation_emails(session=session)


@task()
def send_released_join_links_task(offering_id: int, recipient_key: str) -> None:
    services.send_released_join_links(offering_id=offering_id, recipient_key=recipient_key)


@task()
def send_local_design_decision_task(transition_id: int) -> None:
    services.send_local_design_decision(transition_id=transition_id)  # each address once
