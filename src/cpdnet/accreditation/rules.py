"""The accreditation rules as plain functions over plain values, so truth tables can state them.

Which moves a candidacy may make, when evidence may be submitted, who may not assess whom,
which recommendations are moderated, when a resubmission, an appeal or a renewal is allowed and
when an accreditation lapses: decided here and nowhere else. Services gather the facts and call
these; `tests/*_cases.csv` state them case by case (tests/README.md says how to read them).
"""

import datetime
import hashlib

from .models import CANDIDACY_TRANSITIONS, SECTION_KEYS, CandidacyState, Recommendation

# The PD roles an applicant may hold (acc-apply's eligibility rule reads these keys).
PD_ROLES: tuple[tuple[str, str], ...] = (
    ("work_group_lead", "Work Group Lead"),
    ("mastery_specialist", "Mastery Specialist"),
    ("subject_lead_beyond_school", "Subject lead who leads teachers from other schools"),
    ("local_leader", "Local leader of maths education or specialist leader of education"),
    ("other_pd_role", "Another role leading PD beyond your school"),
)

# Accreditation codes start with this, so the certificates page tells them from certificates.
CODE_PREFIX = "PDL-"

# A renewal may be asked for from this many days before an accreditation ends until it ends.
RENEWAL_OPENS_DAYS = 120


def move_refusal(from_state: str, to_state: str) -> str | None:
    """Why a candidacy may not move between these states, or None when it may."""
    if to_state in CANDIDACY_TRANSITIONS[from_state]:
        return None
    return (
        f"A candidacy that is {CandidacyState(from_state).label.lower()} cannot become "
        f"{CandidacyState(to_state).label.lower()}."
    )


def effective_deadline(
    *,
    state: str,
    submit_by: datetime.datetime | None,
    extended_to: datetime.datetime | None,
    resubmit_by: datetime.datetime | None,
) -> datetime.datetime | None:
    """When evidence is due now: the resubmission date, else the later of the cohort's
    deadline and an individual extension; None when no deadline is set."""
    if state == CandidacyState.RESUBMISSION:
        return resubmit_by
    if submit_by and extended_to:
        return max(submit_by, extended_to)
    return extended_to or submit_by


def submission_refusal(
    *,
    state: str,
    now: datetime.datetime,
    deadline: datetime.datetime | None,
    versions_submitted: int,
    empty_sections: tuple[str, ...],
) -> str | None:
    """Why evidence may not be submitted now, or None when it may."""
    if state not in (CandidacyState.DRAFTING, CandidacyState.RESUBMISSION):
        return (
            f"Evidence can only be submitted while it is being written; this candidacy is "
            f"{CandidacyState(state).label.lower()}."
        )
    if state == CandidacyState.RESUBMISSION and versions_submitted >= 2:
        return "A resubmission is allowed once, and it has been made."
    if deadline is not None and now > deadline:
        return (
            f"The deadline for this evidence was {deadline:%d %B %Y at %H:%M}. Ask national "
            "staff for an extension."
        )
    if empty_sections:
        return "Write every section before you submit. Still empty: " + ", ".join(empty_sections)
    return None


def assessor_conflict(
    *,
    assessor_is_candidate: bool,
    holds_role: bool,
    same_school: bool,
    same_hub: bool,
    already_assesses_version: bool,
) -> str | None:
    """Why this person may not assess this submission, or None when they may."""
    if assessor_is_candidate:
        return "Candidates cannot assess their own evidence."
    if not holds_role:
        return "This person is not an assessor (or, for moderation, a moderator)."
    if same_school:
        return "This assessor works at the candidate's school: choose someone from elsewhere."
    if same_hub:
        return "This assessor belongs to the candidate's hub: choose someone from another hub."
    if already_assesses_version:
        return "This assessor already marks this submission: moderation needs a second person."
    return None


def sampled_share(version_id: int) -> float:
    """A stable number in [0, 1) for a version: the same id always lands in the same place,
    so who is sampled can be checked and cannot be gamed by retrying."""
    digest = hashlib.sha256(f"accreditation-moderation:{version_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def needs_moderation(*, recommendation: str, version_id: int, share: float) -> bool:
    """Every recommendation other than accredit is moderated; of the rest, a share."""
    if recommendation != Recommendation.ACCREDIT:
        return True
    return sampled_share(version_id) < share


def recommendation_refusal(*, recommendation: str, marks: dict[str, bool | None]) -> str | None:
    """Why an assessor may not make this recommendation on these marks, or None."""
    unmarked = [key for key in SECTION_KEYS if marks.get(key) is None]
    if unmarked:
        return "Mark every section before recommending. Not marked yet: " + ", ".join(unmarked)
    if recommendation == Recommendation.ACCREDIT and not all(marks[key] for key in SECTION_KEYS):
        return "Accreditation needs every section met. Recommend a resubmission instead."
    return None


def final_recommendation(*, first: str, moderation: str | None, decision: str | None) -> str | None:
    """The recommendation ratification acts on, or None while a disagreement is undecided."""
    if decision:
        return decision
    if moderation is None or moderation == first:
        return first
    return None


def ratified_outcome(*, recommendation: str, version_number: int) -> str:
    """The state a ratified recommendation leads to: one resubmission only."""
    if recommendation == Recommendation.ACCREDIT:
        return CandidacyState.ACCREDITED
    if recommendation == Recommendation.RESUBMIT and version_number == 1:
        return CandidacyState.RESUBMISSION
    return CandidacyState.NOT_ACCREDITED


def renewal_refusal(
    *,
    today: datetime.date,
    valid_until: datetime.date,
    is_lapsed: bool,
    is_withdrawn: bool,
    has_open_renewal: bool,
) -> str | None:
    """Why a renewal may not be asked for today, or None when it may."""
    if is_withdrawn:
        return "This accreditation was withdrawn, so it cannot be renewed."
    if is_lapsed or today > valid_until:
        return (
            f"This accreditation ended on {valid_until:%d %B %Y}, so it can no longer be renewed. "
            "Apply to the programme again to be accredited."
        )
    if (valid_until - today).days > RENEWAL_OPENS_DAYS:
        opens = valid_until - datetime.timedelta(days=RENEWAL_OPENS_DAYS)
        return f"Renewal opens on {opens:%d %B %Y}, {RENEWAL_OPENS_DAYS} days before it ends."
    if has_open_renewal:
        return "A renewal is already waiting for review."
    return None


def reminder_due(
    *,
    today: datetime.date,
    valid_until: datetime.date,
    reminder_days: tuple[int, ...],
    already_sent: list[int],
) -> int | None:
    """The reminder (days before the end) to send today, or None: the nearest one whose day
    has come and that was not sent; earlier ones missed are not sent late."""
    days_left = (valid_until - today).days
    if days_left < 0:
        return None
    due = [days for days in reminder_days if days_left <= days]
    if not due:
        return None
    nearest = min(due)
    return None if nearest in already_sent else nearest


def appeal_last_day(*, outcome_on: datetime.date, days: int) -> datetime.date:
    """The last day to appeal against an outcome given on `outcome_on`, `days` days later."""
    return outcome_on + datetime.timedelta(days=days)


def appeal_refusal(*, today: datetime.date, last_day: datetime.date) -> str | None:
    """Why an appeal may not be lodged today, or None when it may."""
    if today > last_day:
        return f"The time to appeal has ended: the last day was {last_day.day} {last_day:%B %Y}."
    return None


def is_lapsed(*, today: datetime.date, valid_until: datetime.date) -> bool:
    """An accreditation lapses the day after it is valid until."""
    return today > valid_until


def add_years(day: datetime.date, years: int) -> datetime.date:
    """The same day `years` later (28 February for 29 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)
