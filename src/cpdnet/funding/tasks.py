from django_tasks import task

from . import emails


@task()
def email_invoice_task(invoice_id: int) -> None:
    emails.email_invoice(invoice_id=invoice_id)


@task()
def email_credit_note_task(credit_note_id: int) -> None:
    emails.email_credit_note(credit_note_id=credit_note_id)


@task()
def email_bank_details_change_task(bank_details_id: int) -> None:
    emails.email_bank_details_change(bank_details_id=bank_details_id)


@task()
def email_remittances_task(run_id: int) -> None:
    emails.email_remittances(run_id=run_id)


@task()
def send_owed_funding_emails_task() -> None:
    emails.send_owed_emails()
