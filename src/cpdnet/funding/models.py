"""Money: funds, fees, invoices, bursaries, bank details, payment runs and the ledger.

Every amount is a `Decimal` in pounds with two places. Money never moves by editing a row:
each movement is a new `LedgerEntry`, and every balance is a sum of entries.
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Func, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cpdnet.applications.models import Application
from cpdnet.hubs.models import Hub, Network
from cpdnet.programmes.models import Offering, Programme
from cpdnet.schools.models import School

ZERO = Decimal("0.00")


def money_field(label: str = "", **options) -> models.DecimalField:
    return models.DecimalField(label or None, max_digits=12, decimal_places=2, **options)


class ToThePenny(Func):
    """A sum of money read back to the penny: SQLite adds decimals as floating point and hands
    back values such as 408.330000000000, which are not pounds and pence."""

    template = "%(expressions)s"
    output_field = models.DecimalField(max_digits=14, decimal_places=2)

    def convert_value(self, value, expression, connection):
        return None if value is None else Decimal(value).quantize(Decimal("0.01"))


def sum_of_pounds(field: str, **options) -> ToThePenny:
    """Sum an amount field in the database, 0.00 when there is nothing to add."""
    return ToThePenny(Coalesce(Sum(field, **options), ZERO))


class Eligibility(models.TextChoices):
    STATE_FUNDED = "state_funded", _("State-funded schools and colleges only")
    ALL = "all", _("All schools and organisations")


class Fund(models.Model):
    """A funder's budget for one academic year, optionally ring-fenced."""

    name = models.CharField(max_length=200)
    funder = models.CharField(max_length=200, help_text=_("Who gives the money."))
    academic_year = models.PositiveSmallIntegerField(
        help_text=_("The year it starts: 2025 for 2025 to 2026.")
    )
    budget = money_field(_("budget (£)"))
    network = models.ForeignKey(
        Network, on_delete=models.PROTECT, null=True, blank=True, related_name="funds"
    )
    hub = models.ForeignKey(Hub, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, null=True, blank=True, related_name="funds"
    )
    eligibility = models.CharField(
        max_length=14, choices=Eligibility.choices, default=Eligibility.STATE_FUNDED
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-academic_year", "name"]
        constraints = [
            models.UniqueConstraint(fields=["name", "academic_year"], name="one_fund_name_a_year"),
            models.CheckConstraint(condition=models.Q(budget__gte=0), name="budget_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.academic_year} to {self.academic_year + 1})"


class FeeCategory(models.TextChoices):
    STATE_FUNDED = "state_funded", _("State-funded schools and colleges")
    INDEPENDENT = "independent", _("Independent schools")
    OTHER = "other", _("Other organisations")


class ProgrammePrice(models.Model):
    """What a school of one kind pays for a place on any offering of a programme."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="prices")
    category = models.CharField(max_length=14, choices=FeeCategory.choices)
    amount = money_field(_("fee per place (£)"))

    class Meta:
        ordering = ["programme", "category"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "category"], name="one_price_per_kind"),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="price_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.programme}: {self.get_category_display()} £{self.amount}"


class CancellationPolicy(models.Model):
    """How much of a fee is credited when a place is given up, published on the programme."""

    programme = models.OneToOneField(
        Programme, on_delete=models.CASCADE, related_name="cancellation_policy"
    )
    full_refund_days = models.PositiveSmallIntegerField(
        _("full refund up to this many days before the first session"), default=14
    )
    late_refund_percent = models.PositiveSmallIntegerField(
        _("refund after that (per cent)"), default=0
    )

    class Meta:
        verbose_name_plural = _("cancellation policies")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(late_refund_percent__lte=100), name="refund_at_most_all"
            )
        ]

    def __str__(self) -> str:
        return str(self.summary)

    @property
    def summary(self) -> str:
        late = (
            _("no refund after that")
            if not self.late_refund_percent
            else _("%(percent)s%% refund after that") % {"percent": self.late_refund_percent}
        )
        return _("Full refund up to %(days)s days before the first session, %(late)s.") % {
            "days": self.full_refund_days,
            "late": late,
        }


class DocumentCounter(models.Model):
    """The last number used for invoices or credit notes in a year: locked to number gap-free."""

    kind = models.CharField(max_length=12)
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "year"], name="one_counter_per_kind_year")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.year}: {self.last_number}"


class Invoice(models.Model):
    """A bill to a school for a place on a fee-paying offering."""

    number = models.CharField(max_length=20, unique=True)
    year = models.PositiveSmallIntegerField()
    sequence = models.PositiveIntegerField()
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="invoices")
    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, null=True, blank=True, related_name="invoices"
    )
    description = models.CharField(max_length=300)
    amount = money_field()
    issued_on = models.DateField()
    due_on = models.DateField()
    emailed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year", "-sequence"]
        constraints = [
            models.UniqueConstraint(fields=["year", "sequence"], name="invoice_numbers_unique"),
            models.UniqueConstraint(
                fields=["application"],
                condition=models.Q(application__isnull=False),
                name="one_invoice_per_application",
            ),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="invoice_positive"),
        ]
        indexes = [models.Index(fields=["school", "year"])]

    def __str__(self) -> str:
        return self.number


class CreditNote(models.Model):
    """Money taken off an invoice, by the cancellation policy or a correction."""

    number = models.CharField(max_length=20, unique=True)
    year = models.PositiveSmallIntegerField()
    sequence = models.PositiveIntegerField()
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="credit_notes")
    amount = money_field()
    reason = models.CharField(max_length=300)
    issued_on = models.DateField()
    emailed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year", "-sequence"]
        constraints = [
            models.UniqueConstraint(fields=["year", "sequence"], name="credit_numbers_unique"),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="credit_positive"),
        ]

    def __str__(self) -> str:
        return self.number


class BursaryScheme(models.Model):
    """What a bursary on an offering is worth, by component, and the fund that pays it."""

    offering = models.OneToOneField(Offering, on_delete=models.CASCADE, related_name="bursary")
    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="schemes")
    supply_days = models.DecimalField(
        _("supply cover days"), max_digits=4, decimal_places=1, default=Decimal("0")
    )
    daily_rate = money_field(_("supply cover daily rate (£)"), default=ZERO)
    travel_cap = money_field(_("travel up to (£)"), default=ZERO)
    implementation_grant = money_field(_("implementation grant (£)"), default=ZERO)
    provided_in_kind = models.CharField(
        _("provided in kind"),
        max_length=200,
        blank=True,
        help_text=_("For example: accommodation and meals."),
    )

    def __str__(self) -> str:
        return f"Bursary for {self.offering}"

    @property
    def supply_value(self) -> Decimal:
        return (self.supply_days * self.daily_rate).quantize(Decimal("0.01"))

    @property
    def most(self) -> Decimal:
        """The most one bursary can cost the fund: committed when a teacher applies."""
        return self.supply_value + self.travel_cap + self.implementation_grant


class BursaryState(models.TextChoices):
    COMMITTED = "committed", _("Committed: claim after the course")
    CLAIMED = "claimed", _("Claimed: waiting for approval")
    APPROVED = "approved", _("Approved: waiting for payment")
    IN_PAYMENT_RUN = "in_payment_run", _("In a payment run")
    PAID = "paid", _("Paid")
    REJECTED = "rejected", _("Not paid")
    CANCELLED = "cancelled", _("Cancelled")


BURSARY_TRANSITIONS: dict[str, set[str]] = {
    BursaryState.COMMITTED: {BursaryState.CLAIMED, BursaryState.CANCELLED},
    BursaryState.CLAIMED: {BursaryState.APPROVED, BursaryState.REJECTED},
    BursaryState.APPROVED: {BursaryState.IN_PAYMENT_RUN, BursaryState.REJECTED},
    BursaryState.IN_PAYMENT_RUN: {BursaryState.PAID, BursaryState.APPROVED},
    BursaryState.PAID: {BursaryState.APPROVED},  # a payment the bank returned
    BursaryState.REJECTED: set(),
    BursaryState.CANCELLED: set(),
}
# States whose money is still committed against the fund.
HOLDS_COMMITMENT = (
    BursaryState.COMMITTED,
    BursaryState.CLAIMED,
    BursaryState.APPROVED,
    BursaryState.IN_PAYMENT_RUN,
)


class Bursary(models.Model):
    """A teacher's bursary for a place: committed on applying, paid to the school after."""

    application = models.OneToOneField(
        Application, on_delete=models.PROTECT, related_name="bursary"
    )
    scheme = models.ForeignKey(BursaryScheme, on_delete=models.PROTECT, related_name="bursaries")
    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="bursaries")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="bursaries")
    state = models.CharField(max_length=16, choices=BursaryState.choices, db_index=True)
    committed = money_field()
    days_attended = models.PositiveSmallIntegerField(null=True, blank=True)
    days_held = models.PositiveSmallIntegerField(null=True, blank=True)
    travel_cost = money_field(null=True, blank=True)
    has_receipt = models.BooleanField(default=False)
    amount = money_field(_("amount to pay"), null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = _("bursaries")
        indexes = [models.Index(fields=["fund", "state"])]

    def __str__(self) -> str:
        return f"Bursary for {self.application}"

    def can_move_to(self, state: str) -> bool:
        return state in BURSARY_TRANSITIONS[self.state]


class BursaryTransition(models.Model):
    """One change of a bursary's state: who, when and why."""

    bursary = models.ForeignKey(Bursary, on_delete=models.CASCADE, related_name="history")
    from_state = models.CharField(max_length=16, choices=BursaryState.choices, blank=True)
    to_state = models.CharField(max_length=16, choices=BursaryState.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.from_state or 'new'} -> {self.to_state}"


# Payments to bank details changed this recently are held: mandate fraud (a fraudster
# asking a school to "update" its bank details) is a common attack on schools.
BANK_DETAILS_HOLD = datetime.timedelta(days=7)


class BankDetails(models.Model):
    """One version of a school's bank details; a change adds a version, never edits one."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="bank_details")
    account_name = models.CharField(max_length=18)
    sort_code = models.CharField(max_length=6)
    account_number = models.CharField(max_length=8)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    previous_contact_email = models.EmailField(blank=True)
    confirmation_emailed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = _("bank details")
        indexes = [models.Index(fields=["school", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.school}: {self.masked_account}"

    @property
    def masked_account(self) -> str:
        return f"****{self.account_number[-4:]}"

    @property
    def masked_sort_code(self) -> str:
        return f"**-**-{self.sort_code[-2:]}"

    @property
    def held_until(self) -> datetime.datetime:
        return self.created_at + BANK_DETAILS_HOLD

    def is_held(self, now: datetime.datetime | None = None) -> bool:
        return (now or timezone.now()) < self.held_until


class RunState(models.TextChoices):
    DRAFT = "draft", _("Draft: waiting for a second person to approve")
    APPROVED = "approved", _("Approved and paid")
    CANCELLED = "cancelled", _("Cancelled")


class PaymentRun(models.Model):
    """Approved bursary claims of one fund, up to a date, paid together."""

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="payment_runs")
    up_to = models.DateField(help_text=_("Claims approved on or before this day."))
    state = models.CharField(max_length=10, choices=RunState.choices, default=RunState.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(approved_by=models.F("created_by")),
                name="run_approved_by_someone_else",
                violation_error_message=_("A second person must approve a payment run."),
            )
        ]

    def __str__(self) -> str:
        return f"Payment run {self.pk} for {self.fund}"


class PaymentStatus(models.TextChoices):
    PENDING = "pending", _("In the run, not yet paid")
    PAID = "paid", _("Paid")
    RETURNED = "returned", _("Returned by the bank")
    REMOVED = "removed", _("Removed from the run")


class Payment(models.Model):
    """One bursary in one payment run, to the school's bank details held at the time."""

    run = models.ForeignKey(PaymentRun, on_delete=models.PROTECT, related_name="payments")
    bursary = models.ForeignKey(Bursary, on_delete=models.PROTECT, related_name="payments")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    amount = money_field()
    bank_details = models.ForeignKey(
        BankDetails, on_delete=models.PROTECT, null=True, related_name="+"
    )
    status = models.CharField(
        max_length=10, choices=PaymentStatus.choices, default=PaymentStatus.PENDING
    )
    returned_reason = models.CharField(max_length=300, blank=True)
    remittance_emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["school__name", "id"]
        constraints = [
            # A claim is in a run once, and paid at most once at a time: the database refuses a
            # second payment even if a bug or a race got past the state machine.
            models.UniqueConstraint(fields=["run", "bursary"], name="bursary_once_per_run"),
            models.UniqueConstraint(
                fields=["bursary"],
                condition=models.Q(status__in=["pending", "paid"]),
                name="one_live_payment_per_bursary",
            ),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="payment_positive"),
        ]

    def __str__(self) -> str:
        return f"Payment {self.pk}: £{self.amount} to {self.school_id}"


class EntryKind(models.TextChoices):
    # A school's account: positive means the school owes it.
    INVOICE = "invoice", _("Invoice")
    CREDIT_NOTE = "credit_note", _("Credit note")
    PAYMENT_RECEIVED = "payment_received", _("Payment received")
    BURSARY_PAID = "bursary_paid", _("Bursary paid")
    # A fund: money set aside for bursaries, and money paid out of it.
    COMMITMENT = "commitment", _("Committed from the fund")
    FUND_PAYMENT = "fund_payment", _("Paid from the fund")


SCHOOL_KINDS = (
    EntryKind.INVOICE,
    EntryKind.CREDIT_NOTE,
    EntryKind.PAYMENT_RECEIVED,
    EntryKind.BURSARY_PAID,
)


class AppendOnlyError(Exception):
    pass


class LedgerQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Ledger entries cannot be changed: add a correcting entry.")

    def delete(self):
        raise AppendOnlyError("Ledger entries cannot be deleted: add a correcting entry.")


class LedgerEntry(models.Model):
    """One movement of money. Never changed or deleted: a correction is another entry.

    Database triggers (migration 0002) refuse an UPDATE of any column but `actor` (cleared when
    a person is erased), and on PostgreSQL any DELETE, whatever code runs.
    """

    kind = models.CharField(max_length=16, choices=EntryKind.choices)
    amount = money_field()
    academic_year = models.PositiveSmallIntegerField()
    description = models.CharField(max_length=300)
    fund = models.ForeignKey(
        Fund, on_delete=models.PROTECT, null=True, blank=True, related_name="entries"
    )
    school = models.ForeignKey(
        School, on_delete=models.PROTECT, null=True, blank=True, related_name="ledger_entries"
    )
    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    invoice = models.ForeignKey(
        Invoice, on_delete=models.PROTECT, null=True, blank=True, related_name="entries"
    )
    credit_note = models.ForeignKey(
        CreditNote, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    bursary = models.ForeignKey(
        Bursary, on_delete=models.PROTECT, null=True, blank=True, related_name="entries"
    )
    payment = models.ForeignKey(
        Payment, on_delete=models.PROTECT, null=True, blank=True, related_name="entries"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = LedgerQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name_plural = _("ledger entries")
        indexes = [
            models.Index(fields=["school", "academic_year", "kind"]),
            models.Index(fields=["fund", "kind"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(school__isnull=False) | ~models.Q(kind__in=SCHOOL_KINDS),
                name="school_entries_name_a_school",
            ),
            models.CheckConstraint(
                condition=models.Q(fund__isnull=False)
                | ~models.Q(kind__in=[EntryKind.COMMITMENT, EntryKind.FUND_PAYMENT]),
                name="fund_entries_name_a_fund",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("Ledger entries cannot be changed: add a correcting entry.")
        if self.amount.as_tuple().exponent < -2:
            raise ValidationError("Amounts are in pounds and whole pence.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Ledger entries cannot be deleted: add a correcting entry.")


class BankStatementImport(models.Model):
    """A bank statement file matched against invoices: what was matched and what was not."""

    file_name = models.CharField(max_length=255)
    lines = models.PositiveIntegerField()
    matched = models.PositiveIntegerField()
    unmatched = models.JSONField(default=list)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-imported_at"]

    def __str__(self) -> str:
        return f"{self.file_name}: {self.matched} of {self.lines} matched"
