"""Pounds and pence: parse what people type, show `£1,234.50`, export `1234.50`."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

PENNY = Decimal("0.01")


class MoneyError(ValueError):
    pass


def parse_pounds(text: str, *, allow_negative: bool = False) -> Decimal:
    """Read an amount such as "1,234.50" or "£20"; refuse fractions of a penny."""
    cleaned = text.strip().replace(",", "").removeprefix("£").strip()
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        raise MoneyError(f"“{text}” is not an amount of money, like 1234.50") from None
    if not amount.is_finite():
        raise MoneyError(f"“{text}” is not an amount of money, like 1234.50")
    if amount.as_tuple().exponent < -2:
        raise MoneyError(f"“{text}” has fractions of a penny: use pounds and pence")
    if amount < 0 and not allow_negative:
        raise MoneyError(f"“{text}” is negative: enter an amount of 0 or more")
    if abs(amount) >= Decimal("10000000000"):
        raise MoneyError(f"“{text}” is too large")
    return amount.quantize(PENNY)


def pence(amount: Decimal) -> Decimal:
    """Round to the nearest penny, halves away from zero (as invoices do)."""
    return amount.quantize(PENNY, rounding=ROUND_HALF_UP)


def format_pounds(amount: Decimal | None) -> str:
    """£1,234.50; -£20.00 for a negative amount."""
    if amount is None:
        return ""
    sign = "-" if amount < 0 else ""
    return f"{sign}£{abs(pence(amount)):,.2f}"


def export_amount(amount: Decimal | None) -> str:
    """1234.50: what a spreadsheet or a bank file reads without guessing."""
    return "" if amount is None else f"{pence(amount):.2f}"
