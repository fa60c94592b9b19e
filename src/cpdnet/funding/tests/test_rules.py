"""The bursary rules as truth tables: each CSV row is one case, readable without programming."""

import csv
from decimal import Decimal
from pathlib import Path

import pytest

from cpdnet.funding import rules

HERE = Path(__file__).parent


def _cases(name: str) -> list[dict]:
    with (HERE / name).open(newline="") as file:
        return list(csv.DictReader(file))


def _yes(value: str) -> bool:
    return value == "yes"


@pytest.mark.parametrize("case", _cases("bursary_cases.csv"), ids=lambda case: case["case"])
def test_who_may_apply_for_a_bursary(case):
    refusal = rules.applying_refusal(
        school_is_state_funded=_yes(case["state_funded"]),
        fund_is_for_all=_yes(case["fund_for_all"]),
        has_place=_yes(case["has_place"]),
        school_released=_yes(case["released"]),
        start_survey_done=_yes(case["start_survey"]),
        course_started=_yes(case["started"]),
        fund_left=Decimal(case["fund_left"]),
        most=Decimal(case["most"]),
    )
    assert (refusal.code if refusal else "") == case["refusal"]
    if refusal:
        assert refusal.reason.endswith(".")


@pytest.mark.parametrize("case", _cases("claim_cases.csv"), ids=lambda case: case["case"])
def test_what_a_claim_pays(case):
    result = rules.claim(
        supply_value=Decimal("540.00"),
        travel_cap=Decimal("150.00"),
        grant=Decimal("200.00"),
        days_held=int(case["days_held"]),
        days_attended=int(case["days_attended"]),
        end_survey_done=_yes(case["end_survey"]),
        travel_cost=Decimal(case["travel_cost"]),
        has_receipt=_yes(case["receipt"]),
    )
    assert (result.refusal.code if result.refusal else "") == case["refusal"]
    assert (result.supply, result.travel, result.grant) == (
        Decimal(case["supply"]),
        Decimal(case["travel"]),
        Decimal(case["grant"]),
    )


@pytest.mark.parametrize(
    ("days_before", "percent"), [(30, 100), (14, 100), (13, 25), (0, 25), (-3, 25)]
)
def test_refund_follows_the_published_policy(days_before, percent):
    assert (
        rules.refund_percent(days_before_start=days_before, full_refund_days=14, late_percent=25)
        == percent
    )
