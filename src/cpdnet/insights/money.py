"""Who the money reaches: bursaries by schools' free school meals quintile and by region.

Amounts are summed in the database per (region) and per (% FSM value); the % FSM sums are then
put into the national quintiles that the reach pages use (`fsm_quintile_cuts`), so "Q5" means
the same schools here as there.
"""

import bisect
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q

from cpdnet.funding.models import ZERO, Bursary, BursaryState, EntryKind, LedgerEntry, sum_of_pounds

from .selectors import NOT_KNOWN, QUINTILE_NAMES, fsm_quintile_cuts, quintile_label

# Bursaries that money was set aside for or paid: every state but refused and cancelled.
TAKEN_UP = (
    BursaryState.COMMITTED,
    BursaryState.CLAIMED,
    BursaryState.APPROVED,
    BursaryState.IN_PAYMENT_RUN,
    BursaryState.PAID,
)


@dataclass(frozen=True)
class MoneyRow:
    label: str
    schools: int
    bursaries: int
    paid: Decimal


def _paid_by(field: str, year: int) -> dict:
    """Bursary money paid to schools (net of returns) per value of a school field."""
    rows = (
        LedgerEntry.objects.filter(kind=EntryKind.BURSARY_PAID, academic_year=year)
        .values(field)
        .annotate(total=sum_of_pounds("amount"))
    )
    return {row[field]: -row["total"] for row in rows}


def _taken_by(field: str, year: int) -> dict:
    rows = (
        Bursary.objects.filter(fund__academic_year=year, state__in=TAKEN_UP)
        .values(field)
        .annotate(bursaries=Count("pk"), schools=Count("school", distinct=True))
    )
    return {row[field]: (row["schools"], row["bursaries"]) for row in rows}


def bursaries_by_region(year: int) -> list[MoneyRow]:
    paid = _paid_by("school__region_name", year)
    taken = _taken_by("school__region_name", year)
    keys = sorted(set(paid) | set(taken), key=lambda key: key or "~")
    return [
        MoneyRow(
            label=key or "Not known",
            schools=taken.get(key, (0, 0))[0],
            bursaries=taken.get(key, (0, 0))[1],
            paid=paid.get(key, ZERO),
        )
        for key in keys
    ]


def bursaries_by_fsm_quintile(year: int) -> list[MoneyRow]:
    cuts = fsm_quintile_cuts()

    def quintile(value) -> str:
        if value is None or not cuts:
            return NOT_KNOWN
        return str(bisect.bisect_left(cuts, value) + 1)

    totals: dict[str, list] = {key: [set(), 0, ZERO] for key in [*QUINTILE_NAMES, NOT_KNOWN]}
    rows = (
        Bursary.objects.filter(fund__academic_year=year, state__in=TAKEN_UP)
        .values("school_id", "school__percentage_fsm")
        .annotate(
            bursaries=Count("pk"),
            paid=sum_of_pounds("entries__amount", filter=Q(entries__kind=EntryKind.BURSARY_PAID)),
        )
    )
    for row in rows:
        bucket = totals[quintile(row["school__percentage_fsm"])]
        bucket[0].add(row["school_id"])
        bucket[1] += row["bursaries"]
        bucket[2] -= row["paid"]
    return [
        MoneyRow(label=quintile_label(key, cuts), schools=len(s), bursaries=b, paid=p)
        for key, (s, b, p) in totals.items()
        if b or key != NOT_KNOWN
    ]
