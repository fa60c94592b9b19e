"""Writes that move money. Each takes the locks it needs and writes its ledger entries and
audit entry in one transaction; an email it owes is recorded on its row (`emailed_at` empty)
and sent on commit, with a periodic sweep for any the process did not live to send."""

import datetime
from collections.abc import Iterable
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from cpdnet.applications.models import PARTICIPATING, Application, State
from cpdnet.audit.services import record
from cpdnet.programmes.academic_years import academic_year_of
from cpdnet.schools.models import School

from . import rules
from .models import (
    BURSARY_TRANSITIONS,
    HOLDS_COMMITMENT,
    ZERO,
    BankDetails,
    BankStatementImport,
    Bursary,
    BursaryScheme,
    BursaryState,
    BursaryTransition,
    CreditNote,
    DocumentCounter,
    EntryKind,
    FeeCategory,
    Fund,
    Invoice,
    LedgerEntry,
    Payment,
    PaymentRun,
    PaymentStatus,
    RunState,
    sum_of_pounds,
)
from .money import pence

PAYMENT_TERMS = datetime.timedelta(days=30)


class FundingError(Exception):
    """A refused money action, with a reason to show as it is."""

    def __init__(self, reason: str, *, code: str = "refused"):
        super().__init__(reason)
        self.reason = reason
        self.code = code


def _on_commit(task, *args) -> None:
    transaction.on_commit(lambda: task.enqueue(*args))


# --- Funds -----------------------------------------------------------------------------------


def _lock_fund(fund_id: int) -> Fund:
    # Row lock on PostgreSQL; SQLite serialises writers with BEGIN IMMEDIATE (settings).
    return Fund.objects.select_for_update().get(pk=fund_id)


def fund_left(fund: Fund) -> Decimal:
    """Budget less what is committed and paid, summed from the ledger."""
    spent = fund.entries.filter(kind__in=[EntryKind.COMMITMENT, EntryKind.FUND_PAYMENT]).aggregate(
        total=sum_of_pounds("amount")
    )["total"]
    return fund.budget - spent


def save_fund(*, fund: Fund, by) -> Fund:
    """Create or change a fund; its budget may not drop below what is committed and paid."""
    with transaction.atomic():
        if fund.pk:
            locked = _lock_fund(fund.pk)
            used = locked.budget - fund_left(locked)
            if fund.budget < used:
                raise FundingError(
                    f"The budget cannot be less than the £{used:,.2f} already committed or paid.",
                    code="budget_below_spent",
                )
        fund.full_clean()
        fund.save()
        record(
            actor=by,
            action="funding.fund.saved",
            obj=fund,
            summary=f"Fund {fund} saved with a budget of £{fund.budget:,.2f}",
            hub=fund.hub,
            data={"budget": f"{fund.budget:.2f}"},
        )
    return fund


def _entry(**fields) -> LedgerEntry:
    return LedgerEntry.objects.create(**fields)


# --- Fees, invoices and credit notes ---------------------------------------------------------


def fee_category(school: School) -> str:
    """Which price a school pays: independent schools and other organisations pay more."""
    if school.is_state_funded:
        return FeeCategory.STATE_FUNDED
    if school.type_group == "Independent schools":
        return FeeCategory.INDEPENDENT
    return FeeCategory.OTHER


def price_for(*, programme, school: School) -> Decimal:
    """The fee for one place for this school: its category's price, else the programme's fee."""
    category = fee_category(school)
    for price in programme.prices.all():
        if price.category == category:
            return price.amount
    return programme.fee if programme.funding_model == "fee" else ZERO


def _next_number(kind: str, year: int) -> int:
    # The counter row is locked until the transaction ends, so numbers are gap-free: a rolled
    # back invoice gives its number back with the rollback.
    DocumentCounter.objects.get_or_create(kind=kind, year=year)
    counter = DocumentCounter.objects.select_for_update().get(kind=kind, year=year)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return counter.last_number


def raise_invoice(*, application: Application, by=None) -> Invoice | None:
    """Bill the school for an accepted place on a fee-paying offering (once per place)."""
    from .tasks import email_invoice_task

    offering = application.offering
    amount = price_for(programme=offering.programme, school=application.school)
    if amount <= 0 or Invoice.objects.filter(application=application).exists():
        return None
    today = timezone.localdate()
    year = today.year
    sequence = _next_number("invoice", year)
    invoice = Invoice.objects.create(
        number=f"INV-{year}-{sequence:05d}",
        year=year,
        sequence=sequence,
        school=application.school,
        application=application,
        description=f"{offering.programme.title}, {offering.academic_year_label}: one place "
        f"(application {application.pk})",
        amount=amount,
        issued_on=today,
        due_on=today + PAYMENT_TERMS,
    )
    _entry(
        kind=EntryKind.INVOICE,
        amount=amount,
        academic_year=offering.academic_year,
        description=f"Invoice {invoice.number}",
        school=application.school,
        application=application,
        invoice=invoice,
        actor=by if getattr(by, "pk", None) else None,
    )
    _on_commit(email_invoice_task, invoice.pk)
    return invoice


def invoice_outstanding(invoice: Invoice) -> Decimal:
    """What is still owed on an invoice: its entries summed."""
    return invoice.entries.aggregate(total=sum_of_pounds("amount"))["total"]


def raise_credit_note(*, invoice: Invoice, amount: Decimal, reason: str, by=None) -> CreditNote:
    """Take money off an invoice; never more than is still owed on it."""
    from .tasks import email_credit_note_task

    amount = pence(amount)
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
        owed = invoice_outstanding(invoice)
        if amount <= 0 or amount > owed:
            raise FundingError(
                f"A credit note must be more than £0.00 and at most the £{owed:,.2f} still owed.",
                code="credit_too_large",
            )
        today = timezone.localdate()
        sequence = _next_number("credit_note", today.year)
        note = CreditNote.objects.create(
            number=f"CN-{today.year}-{sequence:05d}",
            year=today.year,
            sequence=sequence,
            invoice=invoice,
            amount=amount,
            reason=reason[:300],
            issued_on=today,
        )
        _entry(
            kind=EntryKind.CREDIT_NOTE,
            amount=-amount,
            academic_year=_academic_year_of(invoice),
            description=f"Credit note {note.number} against {invoice.number}",
            school=invoice.school,
            application=invoice.application,
            invoice=invoice,
            credit_note=note,
            actor=by if getattr(by, "pk", None) else None,
        )
        if getattr(by, "pk", None):
            record(
                actor=by,
                action="funding.credit_note.raised",
                obj=note,
                summary=f"Credit note {note.number} for £{amount:,.2f} against {invoice.number}",
            )
        _on_commit(email_credit_note_task, note.pk)
    return note


def _academic_year_of(invoice: Invoice) -> int:
    if invoice.application_id:
        return invoice.application.offering.academic_year
    return academic_year_of(invoice.issued_on)


def credit_on_withdrawal(*, application: Application, by=None) -> CreditNote | None:
    """Credit a withdrawn place's invoice by the programme's published cancellation policy."""
    invoice = Invoice.objects.filter(application=application).first()
    if invoice is None:
        return None
    policy = getattr(application.offering.programme, "cancellation_policy", None)
    first = application.offering.starts_on
    days_before = (first - timezone.localdate()).days
    percent = rules.refund_percent(
        days_before_start=days_before,
        full_refund_days=policy.full_refund_days if policy else 14,
        late_percent=policy.late_refund_percent if policy else 0,
    )
    owed = invoice_outstanding(invoice)
    amount = min(pence(invoice.amount * percent / 100), owed)
    if amount <= 0:
        return None
    return raise_credit_note(
        invoice=invoice,
        amount=amount,
        reason=f"Place withdrawn {days_before} days before the start: {percent}% refund",
        by=by,
    )


def record_payment_received(
    *, invoice: Invoice, amount: Decimal, reference: str, by
) -> LedgerEntry:
    """Record money a school paid against an invoice, by hand or from a bank statement."""
    amount = pence(amount)
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
        owed = invoice_outstanding(invoice)
        if amount <= 0 or amount > owed:
            raise FundingError(
                f"{invoice.number} has £{owed:,.2f} outstanding: a payment must be more than "
                "£0.00 and no more than that.",
                code="payment_not_owed",
            )
        entry = _entry(
            kind=EntryKind.PAYMENT_RECEIVED,
            amount=-amount,
            academic_year=_academic_year_of(invoice),
            description=f"Payment for {invoice.number} ({reference[:100]})",
            school=invoice.school,
            application=invoice.application,
            invoice=invoice,
            actor=by,
        )
        record(
            actor=by,
            action="funding.payment.received",
            obj=invoice,
            summary=f"£{amount:,.2f} received for {invoice.number}",
        )
    return entry


def match_bank_statement(*, file_name: str, lines: Iterable, by) -> BankStatementImport:
    """Record payments from checked statement lines whose invoice number and amount both match
    what is owed; list every other line, never guessing."""
    matched = 0
    unmatched = []
    lines = list(lines)
    with transaction.atomic():
        for line in lines:
            invoice = Invoice.objects.filter(number=line.invoice_number).first()
            if invoice is None:
                unmatched.append(line.as_unmatched("No invoice has this number."))
                continue
            owed = invoice_outstanding(invoice)
            if line.amount != owed:
                unmatched.append(
                    line.as_unmatched(f"{invoice.number} has £{owed:,.2f} outstanding, not this.")
                )
                continue
            record_payment_received(invoice=invoice, amount=line.amount, reference=line.text, by=by)
            matched += 1
        statement = BankStatementImport.objects.create(
            file_name=file_name[:255],
            lines=len(lines),
            matched=matched,
            unmatched=unmatched,
            imported_by=by,
        )
        record(
            actor=by,
            action="funding.bank_statement.matched",
            obj=statement,
            summary=f"Bank statement {file_name[:100]}: {matched} of {len(lines)} lines matched",
        )
    return statement


# --- Bursaries -------------------------------------------------------------------------------


def _move_bursary(bursary: Bursary, to_state: str, *, by=None, reason: str = "") -> None:
    if to_state not in BURSARY_TRANSITIONS[bursary.state]:
        raise FundingError(
            f"A bursary that is {bursary.get_state_display().lower()} cannot become "
            f"{BursaryState(to_state).label.lower()}.",
            code="invalid_transition",
        )
    BursaryTransition.objects.create(
        bursary=bursary,
        from_state=bursary.state,
        to_state=to_state,
        by=by if getattr(by, "pk", None) else None,
        reason=reason[:300],
    )
    bursary.state = to_state


def _school_released(application: Application) -> bool:
    return application.history.filter(
        from_state=State.AWAITING_SCHOOL_APPROVAL, to_state=State.SUBMITTED
    ).exists()


def _has_survey(application: Application, kind: str) -> bool:
    from cpdnet.evaluation.selectors import get_survey_response

    return get_survey_response(application, kind) is not None


def has_started(offering, now: datetime.datetime | None = None) -> bool:
    """Whether the offering's first session that runs has begun (else its start date)."""
    from cpdnet.delivery.selectors import list_running_sessions

    now = now or timezone.now()
    first = list_running_sessions(offering).order_by("starts_at").first()
    if first is None:
        return offering.starts_on <= timezone.localdate(now)
    return first.starts_at <= now


def bursary_refusal(
    application: Application, scheme: BursaryScheme, *, now: datetime.datetime | None = None
) -> rules.Refusal | None:
    """Why this teacher may not apply for the offering's bursary now, or None."""
    return rules.applying_refusal(
        school_is_state_funded=bool(application.school.is_state_funded),
        fund_is_for_all=scheme.fund.eligibility == "all",
        has_place=application.state in PARTICIPATING,
        school_released=_school_released(application),
        start_survey_done=_has_survey(application, "start"),
        course_started=has_started(application.offering, now),
        fund_left=fund_left(scheme.fund),
        most=scheme.most,
    )


def apply_for_bursary(
    *, application: Application, by, now: datetime.datetime | None = None
) -> Bursary:
    """Commit the most the bursary can cost against its fund, or refuse with the reason."""
    scheme = BursaryScheme.objects.filter(offering=application.offering).first()
    if scheme is None:
        raise FundingError("This offering has no bursary.", code="no_bursary")
    if Bursary.objects.filter(application=application).exists():
        raise FundingError("You have already applied for this bursary.", code="already_applied")
    with transaction.atomic():
        fund = _lock_fund(scheme.fund_id)
        refusal = bursary_refusal(application, scheme, now=now)
        if refusal:
            raise FundingError(refusal.reason, code=refusal.code)
        try:
            with transaction.atomic():
                bursary = Bursary.objects.create(
                    application=application,
                    scheme=scheme,
                    fund=fund,
                    school=application.school,
                    state=BursaryState.COMMITTED,
                    committed=scheme.most,
                )
        except IntegrityError:
            raise FundingError(
                "You have already applied for this bursary.", code="already_applied"
            ) from None
        BursaryTransition.objects.create(
            bursary=bursary, to_state=BursaryState.COMMITTED, by=by, reason="Applied"
        )
        _entry(
            kind=EntryKind.COMMITMENT,
            amount=scheme.most,
            academic_year=fund.academic_year,
            description=f"Bursary committed for application {application.pk}",
            fund=fund,
            school=application.school,
            application=application,
            bursary=bursary,
            actor=by,
        )
    return bursary


def _release_commitment(bursary: Bursary, amount: Decimal, *, by, why: str) -> None:
    if amount > 0:
        _entry(
            kind=EntryKind.COMMITMENT,
            amount=-amount,
            academic_year=bursary.fund.academic_year,
            description=why,
            fund=bursary.fund,
            school=bursary.school,
            application=bursary.application,
            bursary=bursary,
            actor=by if getattr(by, "pk", None) else None,
        )


def _committed_now(bursary: Bursary) -> Decimal:
    return bursary.entries.filter(kind=EntryKind.COMMITMENT).aggregate(
        total=sum_of_pounds("amount")
    )["total"]


def _lock_bursary(bursary: Bursary) -> Bursary:
    _lock_fund(bursary.fund_id)
    return Bursary.objects.select_related("fund", "scheme", "application").get(pk=bursary.pk)


def cancel_bursary(*, bursary: Bursary, by=None, reason: str) -> Bursary:
    """Give a bursary's commitment back to its fund (a withdrawn place)."""
    with transaction.atomic():
        bursary = _lock_bursary(bursary)
        _move_bursary(bursary, BursaryState.CANCELLED, by=by, reason=reason)
        _release_commitment(bursary, _committed_now(bursary), by=by, why=reason[:300])
        bursary.save()
    return bursary


def attendance_days(application: Application) -> tuple[int, int]:
    """Days (sessions) the offering held and the teacher attended, from the register."""
    from cpdnet.delivery.models import AttendanceStatus
    from cpdnet.delivery.selectors import list_running_sessions

    held = list_running_sessions(application.offering).count()
    attended = application.attendance.filter(
        status=AttendanceStatus.ATTENDED, session__cancelled_at__isnull=True
    ).count()
    return held, attended


def assess_claim(bursary: Bursary, *, travel_cost: Decimal, has_receipt: bool) -> rules.Claim:
    """What a claim with this travel cost would pay now, by the register and the surveys."""
    scheme = bursary.scheme
    held, attended = attendance_days(bursary.application)
    return rules.claim(
        supply_value=scheme.supply_value,
        travel_cap=scheme.travel_cap,
        grant=scheme.implementation_grant,
        days_held=held,
        days_attended=attended,
        end_survey_done=_has_survey(bursary.application, "end"),
        travel_cost=travel_cost,
        has_receipt=has_receipt,
    )


def claim_bursary(*, bursary: Bursary, travel_cost: Decimal, has_receipt: bool, by) -> Bursary:
    """Claim a committed bursary once the register shows attendance and the end survey is in."""
    with transaction.atomic():
        bursary = _lock_bursary(bursary)
        if bursary.state != BursaryState.COMMITTED:
            raise FundingError(
                f"This bursary is {bursary.get_state_display().lower()}: it cannot be claimed.",
                code="invalid_transition",
            )
        if bursary.application.state not in PARTICIPATING:
            raise FundingError("Only a place that was taken up can be claimed for.")
        assessed = assess_claim(bursary, travel_cost=travel_cost, has_receipt=has_receipt)
        if assessed.refusal:
            raise FundingError(assessed.refusal.reason, code=assessed.refusal.code)
        held, attended = attendance_days(bursary.application)
        _move_bursary(bursary, BursaryState.CLAIMED, by=by, reason="Claimed")
        bursary.days_held, bursary.days_attended = held, attended
        bursary.travel_cost, bursary.has_receipt = travel_cost, has_receipt
        bursary.amount = assessed.total
        bursary.save()
    return bursary


def approve_bursary(*, bursary: Bursary, by) -> Bursary:
    """Make a claim payable, giving back to the fund what was committed but is not owed."""
    with transaction.atomic():
        bursary = _lock_bursary(bursary)
        _move_bursary(bursary, BursaryState.APPROVED, by=by, reason="Approved")
        _release_commitment(
            bursary,
            _committed_now(bursary) - bursary.amount,
            by=by,
            why=f"Bursary claim {bursary.pk} approved for less than committed",
        )
        bursary.approved_at = timezone.now()
        bursary.save()
        record(
            actor=by,
            action="funding.bursary.approved",
            obj=bursary,
            summary=f"Bursary claim {bursary.pk} approved: £{bursary.amount:,.2f}",
            hub=bursary.application.offering.hub,
        )
    return bursary


def reject_bursary(*, bursary: Bursary, reason: str, by) -> Bursary:
    """Refuse a claim, with the reason, and give its commitment back to the fund."""
    if not reason.strip():
        raise FundingError("Give the reason the claim is refused.", code="reason_needed")
    with transaction.atomic():
        bursary = _lock_bursary(bursary)
        _move_bursary(bursary, BursaryState.REJECTED, by=by, reason=reason)
        _release_commitment(bursary, _committed_now(bursary), by=by, why="Claim not paid")
        bursary.save()
        record(
            actor=by,
            action="funding.bursary.rejected",
            obj=bursary,
            summary=f"Bursary claim {bursary.pk} not paid: {reason[:200]}",
            hub=bursary.application.offering.hub,
        )
    return bursary


def on_application_moved(*, application: Application, to_state: str, by, **kwargs) -> None:
    """Invoice an accepted fee-paying place; credit and release bursaries when one is given up."""
    if to_state == State.ACCEPTED:
        raise_invoice(application=application, by=by)
    elif to_state == State.WITHDRAWN:
        credit_on_withdrawal(application=application, by=by)
        bursary = Bursary.objects.filter(
            application=application, state__in=HOLDS_COMMITMENT
        ).first()
        if bursary is not None and bursary.state == BursaryState.COMMITTED:
            cancel_bursary(bursary=bursary, by=by, reason="Place withdrawn")


# --- Bank details ----------------------------------------------------------------------------


def current_bank_details(school: School) -> BankDetails | None:
    return school.bank_details.first()


def save_bank_details(
    *, school: School, account_name: str, sort_code: str, account_number: str, by
) -> BankDetails:
    """Add a version of a school's bank details; tell the previous contact; hold payments."""
    from .tasks import email_bank_details_change_task

    with transaction.atomic():
        School.objects.select_for_update().filter(pk=school.pk).first()
        previous = current_bank_details(school)
        details = BankDetails.objects.create(
            school=school,
            account_name=account_name,
            sort_code=sort_code,
            account_number=account_number,
            entered_by=by,
            previous_contact_email=(
                previous.entered_by.email if previous and previous.entered_by else ""
            ),
        )
        record(
            actor=by,
            action="funding.bank_details.changed" if previous else "funding.bank_details.added",
            obj=details,
            summary=f"Bank details for {school.name} set to account {details.masked_account}",
            data={"urn": school.urn},
        )
        if previous:
            _on_commit(email_bank_details_change_task, details.pk)
    return details


# --- Payment runs ----------------------------------------------------------------------------


def create_payment_run(*, fund: Fund, up_to: datetime.date, by) -> PaymentRun:
    """Gather the fund's approved claims up to a day into a draft run for a second person.

    Claims whose school has no bank details, or details changed in the last 7 days, wait for
    a later run.
    """
    cutoff = timezone.make_aware(datetime.datetime.combine(up_to, datetime.time.max))
    now = timezone.now()
    with transaction.atomic():
        _lock_fund(fund.pk)
        run = PaymentRun.objects.create(fund=fund, up_to=up_to, created_by=by)
        claims = (
            Bursary.objects.select_for_update()
            .filter(fund=fund, state=BursaryState.APPROVED, approved_at__lte=cutoff)
            .order_by("id")
        )
        latest = _latest_bank_details([claim.school_id for claim in claims])
        payments, moved = [], []
        for bursary in claims:
            details = latest.get(bursary.school_id)
            if details is None or details.is_held(now):
                continue
            payments.append(
                Payment(
                    run=run,
                    bursary=bursary,
                    school_id=bursary.school_id,
                    amount=bursary.amount,
                    bank_details=details,
                )
            )
            moved.append(
                BursaryTransition(
                    bursary=bursary,
                    from_state=bursary.state,
                    to_state=BursaryState.IN_PAYMENT_RUN,
                    by=by,
                    reason=f"Payment run {run.pk}",
                )
            )
        if not payments:
            raise FundingError(
                "No approved claims of this fund up to that day can be paid yet (claims wait "
                "while their school has no bank details or changed them in the last 7 days).",
                code="nothing_to_pay",
            )
        Payment.objects.bulk_create(payments, batch_size=1000)
        BursaryTransition.objects.bulk_create(moved, batch_size=1000)
        Bursary.objects.filter(pk__in=[p.bursary_id for p in payments]).update(
            state=BursaryState.IN_PAYMENT_RUN, updated_at=now
        )
        record(
            actor=by,
            action="funding.payment_run.created",
            obj=run,
            summary=f"Payment run {run.pk} drafted: {len(payments)} claims from {fund}",
        )
    return run


def _latest_bank_details(school_ids: list[int]) -> dict[int, BankDetails]:
    latest: dict[int, BankDetails] = {}
    for details in BankDetails.objects.filter(school_id__in=set(school_ids)).order_by(
        "school_id", "-created_at", "-id"
    ):
        latest.setdefault(details.school_id, details)
    return latest


def approve_payment_run(*, run: PaymentRun, by) -> PaymentRun:
    """Pay a draft run: a second person approves, and each claim is paid exactly once."""
    from .tasks import email_remittances_task

    with transaction.atomic():
        _lock_fund(run.fund_id)
        run = PaymentRun.objects.select_for_update().select_related("fund").get(pk=run.pk)
        if run.state != RunState.DRAFT:
            raise FundingError(
                f"This payment run is {run.get_state_display().lower()}: it cannot be approved "
                "again.",
                code="run_not_draft",
            )
        if run.created_by_id == by.pk:
            raise FundingError(
                "You created this payment run: a second person must approve it.",
                code="same_person",
            )
        now = timezone.now()
        payments = list(run.payments.filter(status=PaymentStatus.PENDING).select_related("bursary"))
        entries, moved = [], []
        for payment in payments:
            common = {
                "academic_year": run.fund.academic_year,
                "school_id": payment.school_id,
                "application_id": payment.bursary.application_id,
                "bursary_id": payment.bursary_id,
                "payment_id": payment.pk,
                "actor": by,
                "created_at": now,
            }
            description = f"Bursary paid, payment run {run.pk}"
            entries += [
                LedgerEntry(
                    kind=EntryKind.COMMITMENT,
                    amount=-payment.amount,
                    fund_id=run.fund_id,
                    description=description,
                    **common,
                ),
                LedgerEntry(
                    kind=EntryKind.FUND_PAYMENT,
                    amount=payment.amount,
                    fund_id=run.fund_id,
                    description=description,
                    **common,
                ),
                LedgerEntry(
                    kind=EntryKind.BURSARY_PAID,
                    amount=-payment.amount,
                    description=description,
                    **common,
                ),
            ]
            moved.append(
                BursaryTransition(
                    bursary_id=payment.bursary_id,
                    from_state=BursaryState.IN_PAYMENT_RUN,
                    to_state=BursaryState.PAID,
                    by=by,
                    reason=f"Payment run {run.pk}",
                )
            )
        LedgerEntry.objects.bulk_create(entries, batch_size=1000)
        BursaryTransition.objects.bulk_create(moved, batch_size=1000)
        run.payments.filter(status=PaymentStatus.PENDING).update(status=PaymentStatus.PAID)
        Bursary.objects.filter(pk__in=[p.bursary_id for p in payments]).update(
            state=BursaryState.PAID, updated_at=now
        )
        run.state, run.approved_by, run.approved_at = RunState.APPROVED, by, now
        run.save(update_fields=["state", "approved_by", "approved_at"])
        record(
            actor=by,
            action="funding.payment_run.approved",
            obj=run,
            summary=f"Payment run {run.pk} approved: {len(payments)} payments",
        )
        _on_commit(email_remittances_task, run.pk)
    return run


def cancel_payment_run(*, run: PaymentRun, by) -> PaymentRun:
    """Drop a draft run: its claims go back to approved for a later run."""
    with transaction.atomic():
        run = PaymentRun.objects.select_for_update().get(pk=run.pk)
        if run.state != RunState.DRAFT:
            raise FundingError("Only a draft payment run can be cancelled.", code="run_not_draft")
        bursary_ids = list(run.payments.values_list("bursary_id", flat=True))
        BursaryTransition.objects.bulk_create(
            [
                BursaryTransition(
                    bursary_id=pk,
                    from_state=BursaryState.IN_PAYMENT_RUN,
                    to_state=BursaryState.APPROVED,
                    by=by,
                    reason=f"Payment run {run.pk} cancelled",
                )
                for pk in bursary_ids
            ]
        )
        Bursary.objects.filter(pk__in=bursary_ids).update(state=BursaryState.APPROVED)
        run.payments.update(status=PaymentStatus.REMOVED)
        run.state = RunState.CANCELLED
        run.save(update_fields=["state"])
        record(
            actor=by,
            action="funding.payment_run.cancelled",
            obj=run,
            summary=f"Payment run {run.pk} cancelled",
        )
    return run


def record_returned_payment(*, payment: Payment, reason: str, by) -> Payment:
    """A payment the bank sent back: reverse it in new entries; the claim is payable again."""
    if not reason.strip():
        raise FundingError("Give the reason the bank returned the payment.", code="reason_needed")
    with transaction.atomic():
        payment = (
            Payment.objects.select_for_update().select_related("bursary", "run").get(pk=payment.pk)
        )
        if payment.status != PaymentStatus.PAID:
            raise FundingError("Only a paid payment can be returned.", code="not_paid")
        bursary = _lock_bursary(payment.bursary)
        common = {
            "academic_year": bursary.fund.academic_year,
            "school_id": payment.school_id,
            "application_id": bursary.application_id,
            "bursary": bursary,
            "payment": payment,
            "actor": by,
        }
        description = f"Payment returned by the bank: {reason[:200]}"
        _entry(
            kind=EntryKind.FUND_PAYMENT,
            amount=-payment.amount,
            fund=bursary.fund,
            description=description,
            **common,
        )
        _entry(
            kind=EntryKind.COMMITMENT,
            amount=payment.amount,
            fund=bursary.fund,
            description=description,
            **common,
        )
        _entry(
            kind=EntryKind.BURSARY_PAID, amount=payment.amount, description=description, **common
        )
        payment.status, payment.returned_reason = PaymentStatus.RETURNED, reason[:300]
        payment.save(update_fields=["status", "returned_reason"])
        _move_bursary(bursary, BursaryState.APPROVED, by=by, reason=description)
        bursary.save()
        record(
            actor=by,
            action="funding.payment.returned",
            obj=payment.run,
            summary=f"Payment {payment.pk} of £{payment.amount:,.2f} returned: {reason[:150]}",
        )
    return payment
