"""Emails money owes people. Each is keyed once per event (`send_once`), and the row that owes
it keeps `emailed_at` empty until every recipient has it, so the periodic sweep sends what a
crashed process did not."""

import datetime

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from cpdnet.accounts.models import Role, RoleAssignment
from cpdnet.notifications.models import SentEmail
from cpdnet.notifications.services import send_once

from .documents import render_invoice_pdf
from .models import BankDetails, CreditNote, Invoice, Payment, PaymentRun, PaymentStatus

SWEEP_AFTER = datetime.timedelta(minutes=5)


def finance_contacts(school_id: int) -> list[str]:
    """Who at a school gets its invoices and remittances: its finance contacts, else its
    school approvers."""
    for role in (Role.SCHOOL_FINANCE, Role.SCHOOL_APPROVER):
        emails = list(
            RoleAssignment.objects.filter(role=role, school_id=school_id)
            .order_by("user__email")
            .values_list("user__email", flat=True)
        )
        if emails:
            return emails
    return []


def _context(**extra) -> dict:
    return {
        "site_url": settings.SITE_URL,
        "finance_url": settings.SITE_URL + reverse("public:school-finance"),
        "payee": settings.FUNDING_PAYEE_NAME,
        **extra,
    }


def email_invoice(*, invoice_id: int) -> None:
    invoice = Invoice.objects.select_related("school").filter(pk=invoice_id).first()
    if invoice is None or invoice.emailed_at:
        return
    pdf = render_invoice_pdf(invoice, credit_notes=[], payee=settings.FUNDING_PAYEE_NAME)
    body = render_to_string("funding/emails/invoice.txt", _context(invoice=invoice))
    for to in finance_contacts(invoice.school_id):
        _send_with_attachment(
            key=f"invoice:{invoice.pk}:{to}",
            to=to,
            subject=f"Invoice {invoice.number} from {settings.FUNDING_PAYEE_NAME}",
            body=body,
            attachment=(f"{invoice.number}.pdf", pdf, "application/pdf"),
        )
    Invoice.objects.filter(pk=invoice.pk).update(emailed_at=timezone.now())


def _send_with_attachment(*, key: str, to: str, subject: str, body: str, attachment) -> bool:
    try:
        with transaction.atomic():
            SentEmail.objects.create(key=key, to=to, subject=subject[:200])
            message = EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [to])
            message.attach(*attachment)
            message.send()
    except IntegrityError:
        return False
    return True


def email_credit_note(*, credit_note_id: int) -> None:
    note = CreditNote.objects.select_related("invoice__school").filter(pk=credit_note_id).first()
    if note is None or note.emailed_at:
        return
    body = render_to_string("funding/emails/credit_note.txt", _context(note=note))
    for to in finance_contacts(note.invoice.school_id):
        send_once(
            key=f"credit_note:{note.pk}:{to}",
            to=to,
            subject=f"Credit note {note.number} against invoice {note.invoice.number}",
            body=body,
        )
    CreditNote.objects.filter(pk=note.pk).update(emailed_at=timezone.now())


def email_bank_details_change(*, bank_details_id: int) -> None:
    details = (
        BankDetails.objects.select_related("school", "entered_by")
        .filter(pk=bank_details_id)
        .first()
    )
    if details is None or details.confirmation_emailed_at:
        return
    recipients = {details.previous_contact_email, *finance_contacts(details.school_id)} - {""}
    body = render_to_string("funding/emails/bank_details_changed.txt", _context(details=details))
    for to in sorted(recipients):
        send_once(
            key=f"bank_details:{details.pk}:{to}",
            to=to,
            subject=f"The bank details of {details.school.name} were changed",
            body=body,
        )
    BankDetails.objects.filter(pk=details.pk).update(confirmation_emailed_at=timezone.now())


def email_remittances(*, run_id: int) -> None:
    run = PaymentRun.objects.filter(pk=run_id).first()
    if run is None:
        return
    unsent = Payment.objects.filter(
        run=run, status=PaymentStatus.PAID, remittance_emailed_at__isnull=True
    ).select_related("school", "bursary__application__offering__programme")
    by_school: dict[int, list[Payment]] = {}
    for payment in unsent.iterator(chunk_size=1000):
        by_school.setdefault(payment.school_id, []).append(payment)
    for school_id, payments in by_school.items():
        body = render_to_string(
            "funding/emails/remittance.txt",
            _context(run=run, payments=payments, school=payments[0].school),
        )
        for to in finance_contacts(school_id):
            send_once(
                key=f"remittance:{run.pk}:{school_id}:{to}",
                to=to,
                subject=f"Bursary payment to {payments[0].school.name}",
                body=body,
            )
        Payment.objects.filter(pk__in=[p.pk for p in payments]).update(
            remittance_emailed_at=timezone.now()
        )


def send_owed_emails(*, now: datetime.datetime | None = None) -> int:
    """Send every funding email still owed a few minutes after its change committed."""
    before = (now or timezone.now()) - SWEEP_AFTER
    owed = 0
    for pk in Invoice.objects.filter(emailed_at__isnull=True, created_at__lt=before).values_list(
        "pk", flat=True
    ):
        email_invoice(invoice_id=pk)
        owed += 1
    for pk in CreditNote.objects.filter(emailed_at__isnull=True, created_at__lt=before).values_list(
        "pk", flat=True
    ):
        email_credit_note(credit_note_id=pk)
        owed += 1
    for pk in (
        BankDetails.objects.filter(confirmation_emailed_at__isnull=True, created_at__lt=before)
        .exclude(previous_contact_email="")
        .values_list("pk", flat=True)
    ):
        email_bank_details_change(bank_details_id=pk)
        owed += 1
    for run_id in (
        Payment.objects.filter(
            status=PaymentStatus.PAID,
            remittance_emailed_at__isnull=True,
            run__approved_at__lt=before,
        )
        .values_list("run_id", flat=True)
        .distinct()
    ):
        email_remittances(run_id=run_id)
        owed += 1
    return owed
