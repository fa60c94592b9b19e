"""Every row of the CSV truth tables beside this file, checked against accreditation/rules.py
(README.md says how to read and extend them)."""

import csv
import datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cpdnet.accreditation import rules
from cpdnet.accreditation.models import CandidacyState, Recommendation

HERE = Path(__file__).parent
NOW = datetime.datetime(2027, 3, 1, 12, 0, tzinfo=datetime.UTC)
TODAY = datetime.date(2027, 3, 1)
DEADLINES = {
    "none": None,
    "future": NOW + datetime.timedelta(days=1),
    "past": NOW - datetime.timedelta(minutes=1),
    "now": NOW,
}


def _rows(name: str) -> list[dict]:
    with (HERE / name).open(newline="") as table:
        return list(csv.DictReader(table))


def _yes(value: str) -> bool:
    assert value in ("yes", "no"), value
    return value == "yes"


def _cases(name: str):
    return [
        pytest.param(row, id=row.get("case") or f"{row['from_state']}-{row['to_state']}")
        for row in _rows(name)
    ]


@pytest.mark.parametrize("row", _cases("transition_cases.csv"))
def test_transition_table(row):
    refusal = rules.move_refusal(row["from_state"], row["to_state"])
    assert (refusal is None) == _yes(row["allowed"])


def test_the_transition_table_covers_every_pair_of_states():
    pairs = {(row["from_state"], row["to_state"]) for row in _rows("transition_cases.csv")}
    assert pairs == {(a, b) for a in CandidacyState.values for b in CandidacyState.values}


SUBMISSION_REASONS = {
    "allowed": None,
    "deadline_passed": "The deadline for this evidence was",
    "sections_empty": "Write every section before you submit",
    "resubmitted_once": "A resubmission is allowed once",
    "not_writing": "Evidence can only be submitted while it is being written",
}


@pytest.mark.parametrize("row", _cases("submission_cases.csv"))
def test_submission_table(row):
    refusal = rules.submission_refusal(
        state=row["state"],
        now=NOW,
        deadline=DEADLINES[row["deadline"]],
        versions_submitted=int(row["versions_submitted"]),
        empty_sections=tuple(filter(None, row["empty_sections"].split(";"))),
    )
    expected = SUBMISSION_REASONS[row["expected"]]
    assert refusal is None if expected is None else refusal.startswith(expected)


CONFLICT_REASONS = {
    "allowed": None,
    "own_evidence": "Candidates cannot assess their own evidence",
    "no_role": "This person is not an assessor",
    "same_school": "This assessor works at the candidate's school",
    "same_hub": "This assessor belongs to the candidate's hub",
    "second_person": "This assessor already marks this submission",
}


@pytest.mark.parametrize("row", _cases("conflict_cases.csv"))
def test_assessor_conflict_table(row):
    refusal = rules.assessor_conflict(
        assessor_is_candidate=_yes(row["is_candidate"]),
        holds_role=_yes(row["holds_role"]),
        same_school=_yes(row["same_school"]),
        same_hub=_yes(row["same_hub"]),
        already_assesses_version=_yes(row["already_assesses"]),
    )
    expected = CONFLICT_REASONS[row["expected"]]
    assert refusal is None if expected is None else refusal.startswith(expected)


@pytest.mark.parametrize("row", _cases("moderation_cases.csv"))
def test_moderation_sampling_table(row):
    sampled = rules.needs_moderation(
        recommendation=row["recommendation"],
        version_id=int(row["version_id"]),
        share=float(row["share"]),
    )
    assert sampled == (row["expected"] == "moderated")


@pytest.mark.parametrize("share", [0.1, 0.2, 0.5])
def test_the_sampled_share_of_accredit_recommendations_is_the_configured_share(share):
    moderated = sum(
        rules.needs_moderation(recommendation="accredit", version_id=pk, share=share)
        for pk in range(1, 10_001)
    )
    assert abs(moderated / 10_000 - share) < 0.015


@given(version_id=st.integers(min_value=1, max_value=2**31), share=st.floats(0, 1))
def test_sampling_is_deterministic_and_never_skips_a_non_accredit(version_id, share):
    first = rules.needs_moderation(recommendation="accredit", version_id=version_id, share=share)
    again = rules.needs_moderation(recommendation="accredit", version_id=version_id, share=share)
    assert first == again
    for recommendation in (Recommendation.RESUBMIT, Recommendation.NOT_ACCREDITED):
        assert rules.needs_moderation(
            recommendation=recommendation, version_id=version_id, share=share
        )


RENEWAL_REASONS = {
    "allowed": None,
    "too_early": "Renewal opens on",
    "expired": "This accreditation ended on",
    "withdrawn": "This accreditation was withdrawn",
    "already_waiting": "A renewal is already waiting",
}


@pytest.mark.parametrize("row", _cases("renewal_cases.csv"))
def test_renewal_table(row):
    refusal = rules.renewal_refusal(
        today=TODAY,
        valid_until=TODAY + datetime.timedelta(days=int(row["days_left"])),
        is_lapsed=_yes(row["lapsed"]),
        is_withdrawn=_yes(row["withdrawn"]),
        has_open_renewal=_yes(row["open_renewal"]),
    )
    expected = RENEWAL_REASONS[row["expected"]]
    assert refusal is None if expected is None else refusal.startswith(expected)


@pytest.mark.parametrize("row", _cases("appeal_cases.csv"))
def test_appeal_table(row):
    outcome_on = TODAY - datetime.timedelta(days=int(row["days_since_outcome"]))
    last_day = rules.appeal_last_day(outcome_on=outcome_on, days=int(row["appeal_days"]))

    refusal = rules.appeal_refusal(today=TODAY, last_day=last_day)

    if row["expected"] == "allowed":
        assert refusal is None
    else:
        assert row["expected"] == "too_late"
        assert refusal == (f"The time to appeal has ended: the last day was {last_day:%-d %B %Y}.")


@pytest.mark.parametrize("row", _cases("reminder_cases.csv"))
def test_reminder_table(row):
    due = rules.reminder_due(
        today=TODAY,
        valid_until=TODAY + datetime.timedelta(days=int(row["days_left"])),
        reminder_days=(90, 30, 7),
        already_sent=[int(days) for days in row["already_sent"].split(";") if days],
    )
    assert due == (None if row["expected"] == "none" else int(row["expected"]))


@pytest.mark.parametrize("row", _cases("ratification_cases.csv"))
def test_ratification_table(row):
    recommendation = rules.final_recommendation(
        first=row["first"], moderation=row["moderation"] or None, decision=row["decision"] or None
    )
    if row["expected"] == "undecided":
        assert recommendation is None
        return
    outcome = rules.ratified_outcome(
        recommendation=recommendation, version_number=int(row["version"])
    )
    assert outcome == row["expected"]


def test_add_years_keeps_a_leap_day_in_february():
    assert rules.add_years(datetime.date(2028, 2, 29), 3) == datetime.date(2031, 2, 28)
