"""Every row of eligibility_cases.csv, checked against the eligibility rules (see README.md)."""

import csv
import datetime
from pathlib import Path

import pytest

from cpdnet.accounts.models import JobRole
from cpdnet.applications import eligibility
from cpdnet.applications.eligibility import Candidate, check
from cpdnet.programmes.models import Kind, Phase

TABLE = Path(__file__).with_name("eligibility_cases.csv")
NOW = datetime.datetime(2026, 6, 1, 12, 0, tzinfo=datetime.UTC)
# (opens, closes) for each word a row may use in the window column.
WINDOWS = {
    "open": (NOW - datetime.timedelta(days=7), NOW + datetime.timedelta(days=30)),
    "not_yet": (NOW + datetime.timedelta(days=1), NOW + datetime.timedelta(days=30)),
    "closed": (NOW - datetime.timedelta(days=30), NOW - datetime.timedelta(days=1)),
    "opening_now": (NOW, NOW + datetime.timedelta(days=30)),
    "closing_now": (NOW - datetime.timedelta(days=30), NOW),
}
REFUSAL_CODES = {
    "not_state_funded_school",
    "outside_hub_area",
    "wrong_phase",
    "role_not_in_audience",
    "already_took_part",
    "needs_previous_year",
    "window_not_open",
    "window_closed",
    "conflicting_application",
    "no_pd_leadership_beyond_school",
}
PHASES = set(Phase.values)
ROLES = set(JobRole.values)


def _yes_no(row: dict, column: str) -> bool:
    value = row[column].strip().lower()
    assert value in {"yes", "no"}, f"{column} must be yes or no, not {row[column]!r}"
    return value == "yes"


def _words(row: dict, column: str, allowed: set[str]) -> frozenset[str]:
    words = frozenset(word.strip() for word in row[column].split(";") if word.strip())
    assert words <= allowed, f"{column} has unknown values: {sorted(words - allowed)}"
    return words


def _one_of(row: dict, column: str, allowed: set[str]) -> str:
    value = row[column].strip()
    assert value in allowed, f"{column} must be one of {sorted(allowed)}, not {value!r}"
    return value


def _yes_no_unknown(row: dict, column: str) -> bool | None:
    value = _one_of(row, column, {"yes", "no", "unknown"})
    return None if value == "unknown" else value == "yes"


def _year_of_programme(row: dict) -> int:
    value = row["programme_year"].strip()
    assert value.isdigit() and int(value) >= 1, f"programme_year must be 1 or more, not {value!r}"
    return int(value)


def candidate_from_row(row: dict) -> Candidate:
    opens, closes = WINDOWS[_one_of(row, "window", set(WINDOWS))]
    return Candidate(
        school_is_state_funded_in_england=_yes_no(row, "state_funded"),
        school_is_open=_yes_no(row, "school_open"),
        school_in_hub_area=_yes_no(row, "in_hub_area"),
        offering_is_local_only=_yes_no(row, "local_only"),
        school_phases=_words(row, "school_phases", PHASES - {Phase.ALL}),
        programme_phase=_one_of(row, "programme_phase", PHASES),
        job_role=_one_of(row, "job_role", ROLES),
        audience=_words(row, "audience", ROLES),
        took_part_before=_yes_no(row, "took_part_before"),
        programme_year=_year_of_programme(row),
        continues_previous_year=_yes_no(row, "continues_previous_year"),
        window_opens_at=opens,
        window_closes_at=closes,
        now=NOW,
        applied_this_year_for_conflicting=_yes_no(row, "conflicting_application"),
        programme_kind=_one_of(row, "programme_kind", set(Kind.values)),
        leads_pd_beyond_own_school=_yes_no_unknown(row, "leads_pd_beyond_own_school"),
    )


def read_cases() -> list[dict]:
    with TABLE.open(newline="", encoding="utf-8-sig") as file:
        lines = (line for line in file if not line.lstrip().startswith("#"))
        return [row for row in csv.DictReader(lines) if (row.get("case") or "").strip()]


CASES = read_cases()


@pytest.mark.parametrize("row", CASES, ids=[row["case"] for row in CASES])
def test_case_gives_the_expected_outcome(row):
    # Given the facts of one row of the table
    expected = _one_of(row, "expected", REFUSAL_CODES | {"eligible"})
    candidate = candidate_from_row(row)

    # When the rules are checked
    refusal = check(candidate)

    # Then the outcome is the one the table expects, and a refusal says why in words
    if expected == "eligible":
        assert refusal is None, f"refused with {refusal}"
    else:
        assert refusal is not None, "eligible, but the table expects a refusal"
        assert refusal.code == expected
        assert refusal.reason.strip()
        assert "%(" not in refusal.reason


def test_table_has_unique_case_descriptions():
    descriptions = [row["case"] for row in CASES]

    assert len(descriptions) == len(set(descriptions))


def test_table_covers_every_refusal_and_an_eligible_case():
    # A new rule must come with rows in the table: this fails until it does.
    assert len(eligibility.RULES) == 9

    outcomes = {row["expected"].strip() for row in CASES}

    assert outcomes == REFUSAL_CODES | {"eligible"}
