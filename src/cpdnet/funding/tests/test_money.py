from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cpdnet.funding.models import EntryKind, LedgerEntry, sum_of_pounds
from cpdnet.funding.money import MoneyError, export_amount, format_pounds, parse_pounds, pence

AMOUNTS = st.decimals(min_value=Decimal("-9999999.99"), max_value=Decimal("9999999.99"), places=2)


@pytest.mark.parametrize(
    ("typed", "amount"),
    [("1234.5", "1234.50"), ("£1,234.50", "1234.50"), (" 20 ", "20.00"), ("0", "0.00")],
)
def test_amounts_are_read_as_people_type_them(typed, amount):
    assert parse_pounds(typed) == Decimal(amount)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("12.345", "fractions of a penny"),
        ("ten pounds", "not an amount"),
        ("-5", "negative"),
        ("NaN", "not an amount"),
        ("Infinity", "not an amount"),
        ("1e12", "too large"),
    ],
)
def test_bad_amounts_are_refused_with_a_reason(typed, message):
    with pytest.raises(MoneyError, match=message):
        parse_pounds(typed)


def test_amounts_show_with_a_pound_sign_and_export_without():
    assert format_pounds(Decimal("1234.5")) == "£1,234.50"
    assert format_pounds(Decimal("-20")) == "-£20.00"
    assert export_amount(Decimal("1234.5")) == "1234.50"
    assert pence(Decimal("0.125")) == Decimal("0.13")


@given(AMOUNTS)
def test_an_exported_amount_reads_back_exactly(amount):
    assert parse_pounds(export_amount(amount), allow_negative=True) == amount


@pytest.mark.django_db
def test_sums_in_the_database_come_back_in_whole_pence(fund):
    # SQLite adds decimals as floating point: 0.1 + 0.2 and 408.33 came back with fractions of
    # a penny in their exponent, which the ledger then refused to write as an entry.
    for amount in ("0.10", "0.20", "408.33", "-0.01"):
        LedgerEntry.objects.create(
            fund=fund,
            academic_year=2026,
            kind=EntryKind.COMMITMENT,
            amount=Decimal(amount),
            description="test",
        )
    total = fund.entries.aggregate(total=sum_of_pounds("amount"))["total"]
    assert total == Decimal("408.62")
    assert total.as_tuple().exponent == -2
    assert fund.entries.none().aggregate(total=sum_of_pounds("amount"))["total"] == Decimal("0.00")
