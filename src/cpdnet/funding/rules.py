"""The bursary rules as plain functions over plain values, so a truth table can state them.

Who may have a bursary (`applying_refusal`) and what a claim pays (`claim`) are decided here
and nowhere else; services gather the facts and call these. docs/funding.md says the rules
in words; `tests/bursary_cases.csv` states them case by case.
"""

from dataclasses import dataclass
from decimal import Decimal

from .money import pence

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Refusal:
    code: str
    reason: str


def applying_refusal(
    *,
    school_is_state_funded: bool,
    fund_is_for_all: bool,
    has_place: bool,
    school_released: bool,
    start_survey_done: bool,
    course_started: bool,
    fund_left: Decimal,
    most: Decimal,
) -> Refusal | None:
    """Why a teacher may not apply for the bursary now, or None if they may."""
    if not school_is_state_funded and not fund_is_for_all:
        return Refusal(
            "not_state_funded",
            "Bursaries from this fund are for state-funded schools and colleges only. "
            "Independent schools can still take the place, at the school's own cost.",
        )
    if not has_place:
        return Refusal("no_place", "You can apply for the bursary once you have a place.")
    if course_started:
        return Refusal(
            "too_late", "Bursaries must be applied for before the course starts: it has started."
        )
    if not school_released:
        return Refusal(
            "not_released",
            "Your school has not released you yet: the bursary pays your school for releasing "
            "you, so it needs the release first.",
        )
    if not start_survey_done:
        return Refusal("no_start_survey", "Answer the start survey first, then apply.")
    if most > fund_left:
        return Refusal(
            "fund_spent",
            "The fund for this bursary has no money left this year. Ask your hub about "
            "other funding.",
        )
    return None


@dataclass(frozen=True)
class Claim:
    """What a claim pays, by component, or why it cannot be paid."""

    supply: Decimal = ZERO
    travel: Decimal = ZERO
    grant: Decimal = ZERO
    refusal: Refusal | None = None

    @property
    def total(self) -> Decimal:
        return self.supply + self.travel + self.grant


def claim(
    *,
    supply_value: Decimal,
    travel_cap: Decimal,
    grant: Decimal,
    days_held: int,
    days_attended: int,
    end_survey_done: bool,
    travel_cost: Decimal,
    has_receipt: bool,
) -> Claim:
    """Pay supply cover pro rata by days attended, travel at cost with a receipt up to the cap,
    and the implementation grant only to someone who attended every day held."""
    if days_attended <= 0 or days_held <= 0:
        return Claim(refusal=Refusal("no_attendance", "The register shows no day attended."))
    if not end_survey_done:
        return Claim(refusal=Refusal("no_end_survey", "Answer the end survey first, then claim."))
    if travel_cost > travel_cap:
        return Claim(
            refusal=Refusal(
                "travel_over_cap",
                f"Travel of £{travel_cost:,.2f} is more than the £{travel_cap:,.2f} this "
                "bursary pays: claim up to the cap.",
            )
        )
    if travel_cost > 0 and not has_receipt:
        return Claim(
            refusal=Refusal(
                "no_receipt", "Travel is paid only with a receipt: confirm you have one."
            )
        )
    attended = min(days_attended, days_held)
    return Claim(
        supply=pence(supply_value * attended / days_held),
        travel=travel_cost,
        grant=grant if attended == days_held else ZERO,
    )


def refund_percent(*, days_before_start: int, full_refund_days: int, late_percent: int) -> int:
    """How much of a fee is credited for a place given up this many days before it starts."""
    return 100 if days_before_start >= full_refund_days else late_percent
