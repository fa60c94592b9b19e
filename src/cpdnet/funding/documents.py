"""Files money produces and reads: invoice PDFs, bank statements in, payment files out."""

import csv
import datetime
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.utils import formats
from fpdf import FPDF

from cpdnet.delivery.certificates import pdf_text

from .models import CreditNote, Invoice, Payment
from .money import MoneyError, export_amount, format_pounds, parse_pounds

INVOICE_NUMBER = re.compile(r"\bINV-\d{4}-\d{5}\b", re.IGNORECASE)
STATEMENT_MAX_LINES = 50_000


def _date(day: datetime.date) -> str:
    return formats.date_format(day, "j F Y")


def render_invoice_pdf(invoice: Invoice, *, credit_notes: list[CreditNote], payee: str) -> bytes:
    """A one-page A4 invoice: who owes what for which place, and how to pay."""
    pdf = FPDF(format="A4")
    pdf.set_compression(False)
    pdf.set_title(pdf_text(f"Invoice {invoice.number}"))
    pdf.set_author(pdf_text(payee))
    pdf.set_lang("en-GB")
    pdf.set_creation_date(
        datetime.datetime.combine(invoice.issued_on, datetime.time(12), tzinfo=datetime.UTC)
    )
    pdf.add_page()

    def line(text: str, size: int = 11, *, style: str = "", space: float = 2) -> None:
        pdf.set_font("Helvetica", style=style, size=size)
        pdf.multi_cell(0, size * 0.5, pdf_text(text))
        pdf.ln(space)

    line(f"Invoice {invoice.number}", 22, style="B", space=6)
    line(f"From: {payee}")
    line(f"To: {invoice.school.name} (URN {invoice.school.urn})")
    line(f"Issued on {_date(invoice.issued_on)}. Please pay by {_date(invoice.due_on)}.", space=6)
    line(invoice.description)
    line(f"Amount: {format_pounds(invoice.amount)}", 14, style="B", space=4)
    for note in credit_notes:
        line(f"Credit note {note.number} on {_date(note.issued_on)}: -{format_pounds(note.amount)}")
    line(
        f"Quote {invoice.number} as the payment reference so that we can match your payment.",
        space=2,
    )
    return bytes(pdf.output())


class StatementError(ValueError):
    """A bank statement that cannot be read; the message names the line."""


@dataclass(frozen=True)
class StatementLine:
    line: int
    date: str
    text: str
    amount: Decimal
    invoice_number: str

    def as_unmatched(self, why: str) -> dict:
        return {
            "line": self.line,
            "date": self.date,
            "text": self.text[:200],
            "amount": export_amount(self.amount),
            "why": why,
        }


def _column(header: list[str], *names: str) -> int | None:
    lowered = [name.strip().lower() for name in header]
    for name in names:
        if name in lowered:
            return lowered.index(name)
    return None


def read_bank_statement(data: bytes) -> list[StatementLine]:
    """Money in from a bank's CSV export (Date, Description or Reference, Amount or Credit).

    The whole file is checked before anything is recorded: a line that cannot be read stops
    the import and is named. Lines with no money in (debits, zero) are skipped.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    rows = csv.reader(io.StringIO(text))
    header = next(rows, None)
    if not header:
        raise StatementError("The file is empty: export the statement as CSV with a header row.")
    date_at = _column(header, "date", "transaction date", "posting date")
    text_at = _column(header, "description", "reference", "details", "narrative")
    amount_at = _column(header, "credit", "paid in", "amount", "money in")
    missing = [
        name
        for name, at in (("Date", date_at), ("Description", text_at), ("Amount", amount_at))
        if at is None
    ]
    if missing:
        raise StatementError(
            "Line 1: the header row needs columns for " + ", ".join(missing) + " (for example "
            "Date, Description, Amount)."
        )
    lines = []
    for number, row in enumerate(rows, start=2):
        if number > STATEMENT_MAX_LINES:
            raise StatementError(f"The file has more than {STATEMENT_MAX_LINES:,} lines.")
        if not any(cell.strip() for cell in row):
            continue
        if len(row) <= max(date_at, text_at, amount_at):
            raise StatementError(f"Line {number}: too few columns for the header row.")
        raw_amount = row[amount_at].strip()
        if not raw_amount:
            continue
        try:
            amount = parse_pounds(raw_amount, allow_negative=True)
        except MoneyError as error:
            raise StatementError(f"Line {number}, column {amount_at + 1}: {error}.") from None
        if amount <= 0:
            continue
        found = INVOICE_NUMBER.search(row[text_at])
        lines.append(
            StatementLine(
                line=number,
                date=row[date_at].strip()[:20],
                text=row[text_at].strip(),
                amount=amount,
                invoice_number=found.group(0).upper() if found else "",
            )
        )
    return lines


PAYMENT_FILE_HEADER = [
    "Payee name",
    "Sort code",
    "Account number",
    "Amount",
    "Payment reference",
    "School URN",
]


def payment_file_rows(payments: Iterator[Payment], *, run_id: int) -> Iterator[list[str]]:
    """Rows of a bulk-payment upload (the fields UK banks' Bacs bulk files ask for)."""
    yield PAYMENT_FILE_HEADER
    for payment in payments:
        details = payment.bank_details
        yield [
            details.account_name,
            details.sort_code,
            details.account_number,
            export_amount(payment.amount),
            f"CPD BURSARY R{run_id} P{payment.pk}"[:18],
            str(payment.school_id),
        ]
