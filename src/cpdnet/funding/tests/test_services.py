import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from cpdnet.applications.models import State
from cpdnet.applications.services import decide_application, withdraw_application
from cpdnet.audit.models import AuditEntry
from cpdnet.funding import selectors, services
from cpdnet.funding.documents import StatementError, read_bank_statement
from cpdnet.funding.models import (
    AppendOnlyError,
    BankDetails,
    Bursary,
    BursaryState,
    CancellationPolicy,
    EntryKind,
    FeeCategory,
    Invoice,
    LedgerEntry,
    Payment,
    PaymentStatus,
    ProgrammePrice,
    RunState,
)
from cpdnet.funding.services import FundingError
from tests.factories import (
    ApplicationFactory,
    OfferingFactory,
    RoleAssignmentFactory,
    SchoolFactory,
    TeacherFactory,
)

from .conftest import attend, released_place

pytestmark = pytest.mark.django_db


def _fee_offering(amount="395.00", **school):
    offering = OfferingFactory(programme__funding_model="fee", programme__fee=Decimal(amount))
    applicant = TeacherFactory(school=SchoolFactory(**school))
    application = ApplicationFactory(offering=offering, applicant=applicant, state=State.SUBMITTED)
    RoleAssignmentFactory(role="school_finance", school=applicant.school)
    return offering, application


def _accept(application):
    staff = RoleAssignmentFactory(role="hub_staff", hub=application.offering.hub).user
    decide_application(application=application, decision="accept", by=staff)
    return staff


# --- Invoices --------------------------------------------------------------------------------


def test_accepting_a_fee_paying_place_invoices_the_school_once_and_emails_its_pdf():
    _, application = _fee_offering()
    _accept(application)

    invoice = Invoice.objects.get(application=application)
    assert invoice.amount == Decimal("395.00")
    assert invoice.number == f"INV-{timezone.localdate().year}-00001"
    assert selectors.statement_balance(application.school, 2026) == Decimal("395.00")
    [email] = [m for m in mail.outbox if invoice.number in m.subject]
    assert email.attachments[0][0] == f"{invoice.number}.pdf"
    assert email.attachments[0][1].startswith(b"%PDF")
    assert Invoice.objects.get(pk=invoice.pk).emailed_at is not None
    assert services.raise_invoice(application=application) is None  # never twice


def test_independent_schools_pay_their_own_price():
    offering, application = _fee_offering(is_state_funded=False, type_group="Independent schools")
    ProgrammePrice.objects.create(
        programme=offering.programme, category=FeeCategory.INDEPENDENT, amount=Decimal("650.00")
    )
    _accept(application)
    assert Invoice.objects.get(application=application).amount == Decimal("650.00")


def test_a_funded_place_raises_no_invoice():
    application = ApplicationFactory(state=State.SUBMITTED)
    _accept(application)
    assert not Invoice.objects.exists()


def test_invoice_numbers_are_sequential_and_a_rolled_back_invoice_leaves_no_gap():
    _, first = _fee_offering()
    _accept(first)
    _, second = _fee_offering()
    with pytest.raises(RuntimeError), transaction.atomic():
        services.raise_invoice(application=second)
        raise RuntimeError("the acceptance failed after the invoice")
    _accept(second)
    numbers = sorted(Invoice.objects.values_list("sequence", flat=True))
    assert numbers == [1, 2]


@pytest.mark.parametrize(("days_before", "credited"), [(20, "395.00"), (5, "98.75")])
def test_withdrawing_credits_the_invoice_by_the_cancellation_policy(days_before, credited):
    offering, application = _fee_offering()
    offering.starts_on = timezone.localdate() + datetime.timedelta(days=days_before)
    offering.save()
    CancellationPolicy.objects.create(
        programme=offering.programme, full_refund_days=14, late_refund_percent=25
    )
    _accept(application)
    withdraw_application(application=application, by=application.applicant, reason="Ill")

    invoice = Invoice.objects.get(application=application)
    [note] = invoice.credit_notes.all()
    assert note.amount == Decimal(credited)
    assert services.invoice_outstanding(invoice) == Decimal("395.00") - Decimal(credited)


def test_a_payment_is_recorded_against_what_is_owed_and_no_more():
    _, application = _fee_offering()
    staff = _accept(application)
    invoice = Invoice.objects.get(application=application)
    with pytest.raises(FundingError, match="395.00 outstanding"):
        services.record_payment_received(
            invoice=invoice, amount=Decimal("395.01"), reference="BACS", by=staff
        )
    services.record_payment_received(
        invoice=invoice, amount=Decimal("395.00"), reference="BACS", by=staff
    )
    assert services.invoice_outstanding(invoice) == Decimal("0.00")
    assert AuditEntry.objects.filter(action="funding.payment.received").count() == 1


def test_a_bank_statement_matches_by_invoice_number_and_amount_and_lists_the_rest():
    _, application = _fee_offering()
    staff = _accept(application)
    invoice = Invoice.objects.get(application=application)
    data = (
        "Date,Description,Amount\n"
        f"01/03/2027,BACS {invoice.number} LEEDS PRIMARY,395.00\n"
        f"02/03/2027,BACS {invoice.number} AGAIN,395.00\n"
        "03/03/2027,TRANSFER NO REFERENCE,120.00\n"
        "04/03/2027,DIRECT DEBIT OUT,-50.00\n"
    ).encode()
    statement = services.match_bank_statement(
        file_name="march.csv", lines=read_bank_statement(data), by=staff
    )
    assert (statement.lines, statement.matched) == (3, 1)
    assert [line["line"] for line in statement.unmatched] == [3, 4]
    assert "0.00 outstanding" in statement.unmatched[0]["why"]
    assert services.invoice_outstanding(invoice) == Decimal("0.00")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (
            b"Date,Memo\n1/1/2027,x\n",
            "Line 1: the header row needs columns for Description, Amount",
        ),
        (b"Date,Description,Amount\n1/1/2027,x,12.345\n", "Line 2, column 3"),
        (b"Date,Description,Amount\n1/1/2027\n", "Line 2: too few columns"),
    ],
)
def test_an_unreadable_bank_statement_names_the_line_and_records_nothing(data, message):
    with pytest.raises(StatementError, match=message):
        read_bank_statement(data)


# --- The ledger ------------------------------------------------------------------------------


def test_ledger_entries_cannot_be_changed_or_deleted_by_code_or_sql():
    _, application = _fee_offering()
    _accept(application)
    entry = LedgerEntry.objects.get(kind=EntryKind.INVOICE)
    entry.amount = Decimal("1.00")
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        LedgerEntry.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        LedgerEntry.objects.update(amount=0)
    statements = ["UPDATE funding_ledgerentry SET amount = 0"]
    if connection.vendor == "postgresql":  # SQLite empties test tables with DELETE
        statements.append("DELETE FROM funding_ledgerentry")
    for statement in statements:
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)
    assert LedgerEntry.objects.get(pk=entry.pk).amount == Decimal("395.00")


# --- Bursaries -------------------------------------------------------------------------------


def test_applying_commits_the_most_the_bursary_can_cost(place, fund):
    bursary = services.apply_for_bursary(application=place, by=place.applicant)
    assert bursary.committed == Decimal("890.00")  # 3 x 180 + 150 + 200
    assert services.fund_left(fund) == Decimal("9110.00")
    assert [step.to_state for step in bursary.history.all()] == [BursaryState.COMMITTED]


def test_a_fund_without_enough_left_refuses_with_the_reason(place, fund):
    fund.budget = Decimal("889.99")
    fund.save()
    with pytest.raises(FundingError, match="no money left"):
        services.apply_for_bursary(application=place, by=place.applicant)
    assert not LedgerEntry.objects.exists()


def test_an_independent_school_is_told_why_it_has_no_bursary(residential):
    application = released_place(
        residential,
        applicant=TeacherFactory(school=SchoolFactory(is_state_funded=False)),
    )
    with pytest.raises(FundingError, match="state-funded schools and colleges only"):
        services.apply_for_bursary(application=application, by=application.applicant)


def test_a_claim_pays_by_the_register_and_gives_the_rest_back_to_the_fund(
    place, fund, finance_staff
):
    bursary = services.apply_for_bursary(application=place, by=place.applicant)
    attend(place, days=2)
    bursary = services.claim_bursary(
        bursary=bursary, travel_cost=Decimal("40.00"), has_receipt=True, by=place.applicant
    )
    assert (bursary.days_attended, bursary.days_held, bursary.amount) == (2, 3, Decimal("400.00"))
    services.approve_bursary(bursary=bursary, by=finance_staff[0])
    assert services.fund_left(fund) == Decimal("9600.00")


def test_a_claim_before_attending_is_refused_and_changes_nothing(place):
    bursary = services.apply_for_bursary(application=place, by=place.applicant)
    with pytest.raises(FundingError, match="no day attended"):
        services.claim_bursary(
            bursary=bursary, travel_cost=Decimal("0"), has_receipt=False, by=place.applicant
        )
    bursary.refresh_from_db()
    assert bursary.state == BursaryState.COMMITTED and bursary.amount is None


def test_withdrawing_gives_a_committed_bursary_back_to_the_fund(place, fund):
    services.apply_for_bursary(application=place, by=place.applicant)
    withdraw_application(application=place, by=place.applicant, reason="Cannot go")
    assert services.fund_left(fund) == fund.budget
    assert Bursary.objects.get(application=place).state == BursaryState.CANCELLED


def test_a_budget_cannot_drop_below_what_is_committed(place, fund, finance_staff):
    services.apply_for_bursary(application=place, by=place.applicant)
    fund.budget = Decimal("800.00")
    with pytest.raises(FundingError, match="890.00 already committed"):
        services.save_fund(fund=fund, by=finance_staff[0])


# --- Bank details and payment runs -----------------------------------------------------------


def _approved_claim(place, finance_staff):
    bursary = services.apply_for_bursary(application=place, by=place.applicant)
    attend(place, days=3)
    services.claim_bursary(
        bursary=bursary, travel_cost=Decimal("0"), has_receipt=False, by=place.applicant
    )
    return services.approve_bursary(bursary=bursary, by=finance_staff[0])


def _bank_details(school, by, *, days_ago: int = 8):
    details = services.save_bank_details(
        school=school, account_name="LEEDS PRIMARY", sort_code="309457",
        account_number="00733445", by=by,
    )  # fmt: skip
    BankDetails.objects.filter(pk=details.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=days_ago)
    )
    return details


def test_changed_bank_details_are_audited_emailed_to_the_previous_contact_and_held(
    place, school_finance, finance_staff
):
    first = _bank_details(place.school, school_finance)
    other = RoleAssignmentFactory(role="school_finance", school=place.school).user
    mail.outbox.clear()
    second = services.save_bank_details(
        school=place.school, account_name="NEW NAME", sort_code="112233",
        account_number="12345678", by=other,
    )  # fmt: skip
    assert first.pk != second.pk and BankDetails.objects.count() == 2
    assert {m.to[0] for m in mail.outbox} >= {school_finance.email}
    assert "12345678" not in mail.outbox[0].body and "****5678" in mail.outbox[0].body
    assert AuditEntry.objects.filter(action="funding.bank_details.changed").count() == 1

    _approved_claim(place, finance_staff)
    with pytest.raises(FundingError, match="changed them in the last 7 days"):
        services.create_payment_run(
            fund=place.bursary.fund, up_to=timezone.localdate(), by=finance_staff[0]
        )


def test_a_payment_run_needs_a_second_person_and_pays_each_claim_once(
    place, fund, school_finance, finance_staff
):
    _bank_details(place.school, school_finance)
    bursary = _approved_claim(place, finance_staff)
    creator, approver = finance_staff
    run = services.create_payment_run(fund=fund, up_to=timezone.localdate(), by=creator)
    assert run.payments.count() == 1

    with pytest.raises(FundingError, match="second person"):
        services.approve_payment_run(run=run, by=creator)
    mail.outbox.clear()
    services.approve_payment_run(run=run, by=approver)
    with pytest.raises(FundingError, match="cannot be approved again"):
        services.approve_payment_run(run=run, by=approver)

    bursary.refresh_from_db()
    assert bursary.state == BursaryState.PAID
    assert services.fund_left(fund) == Decimal("10000.00") - Decimal("740.00")
    assert selectors.statement_balance(place.school, 2026) == Decimal("-740.00")
    assert [m.to for m in mail.outbox] == [[school_finance.email]]
    assert "£740.00" in mail.outbox[0].body
    with pytest.raises(FundingError, match="No approved claims"):
        services.create_payment_run(fund=fund, up_to=timezone.localdate(), by=creator)


def test_the_database_refuses_a_second_live_payment_for_a_claim(
    place, fund, school_finance, finance_staff
):
    _bank_details(place.school, school_finance)
    _approved_claim(place, finance_staff)
    run = services.create_payment_run(fund=fund, up_to=timezone.localdate(), by=finance_staff[0])
    payment = run.payments.get()
    with pytest.raises(DatabaseError), transaction.atomic():
        Payment.objects.create(
            run=run, bursary=payment.bursary, school=payment.school, amount=payment.amount
        )


def test_a_returned_payment_is_reversed_by_new_entries_and_can_be_paid_again(
    place, fund, school_finance, finance_staff
):
    _bank_details(place.school, school_finance)
    bursary = _approved_claim(place, finance_staff)
    run = services.create_payment_run(fund=fund, up_to=timezone.localdate(), by=finance_staff[0])
    services.approve_payment_run(run=run, by=finance_staff[1])
    entries_before = LedgerEntry.objects.count()

    services.record_returned_payment(
        payment=run.payments.get(), reason="Account closed", by=finance_staff[0]
    )
    bursary.refresh_from_db()
    assert bursary.state == BursaryState.APPROVED
    assert LedgerEntry.objects.count() == entries_before + 3
    assert selectors.statement_balance(place.school, 2026) == Decimal("0.00")
    assert services.fund_left(fund) == Decimal("10000.00") - Decimal("740.00")  # committed again

    second = services.create_payment_run(fund=fund, up_to=timezone.localdate(), by=finance_staff[0])
    second = services.approve_payment_run(run=second, by=finance_staff[1])
    assert Payment.objects.filter(bursary=bursary, status=PaymentStatus.PAID).count() == 1
    assert second.state == RunState.APPROVED


def test_cancelling_a_draft_run_puts_its_claims_back(place, fund, school_finance, finance_staff):
    _bank_details(place.school, school_finance)
    bursary = _approved_claim(place, finance_staff)
    run = services.create_payment_run(fund=fund, up_to=timezone.localdate(), by=finance_staff[0])
    services.cancel_payment_run(run=run, by=finance_staff[0])
    bursary.refresh_from_db()
    assert bursary.state == BursaryState.APPROVED
    assert not LedgerEntry.objects.filter(kind=EntryKind.FUND_PAYMENT).exists()


def test_the_sweep_sends_an_invoice_email_a_crashed_process_did_not(monkeypatch):
    from cpdnet.funding.emails import send_owed_emails

    _, application = _fee_offering()
    staff = RoleAssignmentFactory(role="hub_staff", hub=application.offering.hub).user
    # The change commits, but the process dies before its on-commit enqueue runs.
    monkeypatch.setattr(transaction, "on_commit", lambda func, using=None, robust=False: None)
    decide_application(application=application, decision="accept", by=staff)
    invoice = Invoice.objects.get()
    assert invoice.emailed_at is None and not mail.outbox

    later = timezone.now() + datetime.timedelta(minutes=6)
    assert send_owed_emails(now=later) == 1
    assert send_owed_emails(now=later) == 0
    assert len([m for m in mail.outbox if invoice.number in m.subject]) == 1
