from django_tasks import task

from . import emails, services


@task()
def email_candidacy_transition_task(transition_id: int) -> None:
    emails.email_candidacy_transition(transition_id=transition_id)


@task()
def email_assessment_assigned_task(assessment_id: int) -> None:
    emails.email_assessment_assigned(assessment_id=assessment_id)


@task()
def email_assessment_unassigned_task(assessment_id: int, assessor_id: int, role: str) -> None:
    emails.email_assessment_unassigned(
        assessment_id=assessment_id, assessor_id=assessor_id, role=role
    )


@task()
def email_renewal_reminder_task(accreditation_id: int, days: int) -> None:
    emails.email_renewal_reminder(accreditation_id=accreditation_id, days=days)


@task()
def email_lapsed_task(accreditation_id: int) -> None:
    emails.email_lapsed(accreditation_id=accreditation_id)


@task()
def email_renewal_reviewed_task(renewal_id: int) -> None:
    emails.email_renewal_reviewed(renewal_id=renewal_id)


@task()
def send_renewal_reminders_task() -> None:
    services.send_renewal_reminders()


@task()
def lapse_expired_accreditations_task() -> None:
    services.lapse_expired_accreditations()
