"""Who may apply: an ordered chain of rules, each a reason code and a plain English reason.

Rules read a plain `Candidate` so that they can be checked from a table without a database
(tests/eligibility_cases.csv); `build_candidate` gathers the facts for a real application.
"""

import dataclasses
import datetime
import types
from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from cpdnet.accounts.models import JobRole
from cpdnet.programmes.models import SCHOOL_PHASES, Kind, Offering, Phase


@dataclass(frozen=True)
class Candidate:
    """The facts the rules need about a would-be applicant and the offering."""

    school_is_state_funded_in_england: bool
    school_is_open: bool
    school_in_hub_area: bool
    offering_is_local_only: bool
    school_phases: frozenset[str]  # phases the school teaches (empty when not known)
    programme_phase: str
    job_role: str
    audience: frozenset[str]
    took_part_before: bool
    # Programmes over several years: which year the offering is, and whether the applicant
    # holds the previous year's place on the same programme (so they continue, not restart).
    programme_year: int
    continues_previous_year: bool
    window_opens_at: datetime.datetime
    window_closes_at: datetime.datetime
    now: datetime.datetime
    applied_this_year_for_conflicting: bool
    programme_kind: str = Kind.WORK_GROUP
    # Accreditation programmes: whether the applicant already leads PD for teachers beyond
    # their own school (their answer in the application); None until they have been asked.
    leads_pd_beyond_own_school: bool | None = None


@dataclass(frozen=True)
class Refusal:
    code: str
    reason: str


Rule = Callable[[Candidate], Refusal | None]


def not_state_funded(candidate: Candidate) -> Refusal | None:
    if candidate.school_is_state_funded_in_england and candidate.school_is_open:
        return None
    return Refusal(
        "not_state_funded_school",
        _("This programme is for teachers at open state-funded schools and colleges in England."),
    )


def outside_hub_area(candidate: Candidate) -> Refusal | None:
    if not candidate.offering_is_local_only or candidate.school_in_hub_area:
        return None
    return Refusal(
        "outside_hub_area",
        _(
            "This offering is for schools in the hub's own area, and your school is served by "
            "another hub. Look for the same programme at your own hub."
        ),
    )


def wrong_phase(candidate: Candidate) -> Refusal | None:
    # A school whose phase is not known is given the benefit of the doubt.
    if (
        candidate.programme_phase == Phase.ALL
        or not candidate.school_phases
        or candidate.programme_phase in candidate.school_phases
    ):
        return None
    return Refusal(
        "wrong_phase",
        _("This programme is for %(phase)s schools, and your school is not one.")
        % {"phase": Phase(candidate.programme_phase).label.lower()},
    )


def role_not_in_audience(candidate: Candidate) -> Refusal | None:
    if candidate.job_role in candidate.audience:
        return None
    labels = dict(JobRole.choices)
    return Refusal(
        "role_not_in_audience",
        _("This programme is for: %(roles)s.")
        % {
            "roles": ", ".join(
                str(labels.get(role, role)).lower() for role in sorted(candidate.audience)
            )
        },
    )


def already_took_part(candidate: Candidate) -> Refusal | None:
    # Carrying on into the next year of a programme over several years is not starting again.
    if not candidate.took_part_before or candidate.continues_previous_year:
        return None
    return Refusal(
        "already_took_part", _("You have already taken part in this programme in an earlier year.")
    )


def needs_previous_year(candidate: Candidate) -> Refusal | None:
    if candidate.programme_year <= 1 or candidate.continues_previous_year:
        return None
    return Refusal(
        "needs_previous_year",
        _(
            "This is year %(year)s of the programme, for teachers who held a place in year "
            "%(previous)s last year. To start the programme, apply for year 1."
        )
        % {"year": candidate.programme_year, "previous": candidate.programme_year - 1},
    )


def window_closed(candidate: Candidate) -> Refusal | None:
    if candidate.now < candidate.window_opens_at:
        return Refusal(
            "window_not_open",
            _("Applications open on %(date)s.")
            % {"date": date_format(timezone.localtime(candidate.window_opens_at), "j F Y")},
        )
    if candidate.now >= candidate.window_closes_at:
        return Refusal(
            "window_closed",
            _("Applications closed on %(date)s.")
            % {"date": date_format(timezone.localtime(candidate.window_closes_at), "j F Y")},
        )
    return None


def conflicting_application(candidate: Candidate) -> Refusal | None:
    if not candidate.applied_this_year_for_conflicting:
        return None
    return Refusal(
        "conflicting_application",
        _(
            "You have already applied this year for this programme or one that cannot be "
            "taken in the same year."
        ),
    )


def no_pd_leadership_beyond_school(candidate: Candidate) -> Refusal | None:
    # Not asked yet (the first step of the form, or a check before it): the answer decides.
    if candidate.programme_kind != Kind.ACCREDITATION or candidate.leads_pd_beyond_own_school in (
        True,
        None,
    ):
        return None
    return Refusal(
        "no_pd_leadership_beyond_school",
        _(
            "This accreditation programme is for teachers who already design and lead "
            "professional development for teachers beyond their own school, for example as a "
            "Work Group Lead or Mastery Specialist. Your hub can tell you how to start leading "
            "professional development."
        ),
    )


RULES: tuple[Rule, ...] = (
    not_state_funded,
    outside_hub_area,
    wrong_phase,
    role_not_in_audience,
    already_took_part,
    needs_previous_year,
    window_closed,
    conflicting_application,
    no_pd_leadership_beyond_school,
)


def check(candidate: Candidate) -> Refusal | None:
    """Return the first rule that refuses, or None when the candidate may apply."""
    for rule in RULES:
        refusal = rule(candidate)
        if refusal is not None:
            return refusal
    return None


def build_candidate(
    *,
    offering: Offering,
    applicant,
    school,
    job_role: str,
    now=None,
    leads_pd_beyond_own_school: bool | None = None,
) -> Candidate:
    """Gather the facts for one applicant, school and offering (a few queries)."""
    from cpdnet.hubs.selectors import resolve_hubs_for_schools

    from .models import ACTIVE, HOLDS_PLACE, Application, State

    programme = offering.programme
    hub_for_school = resolve_hubs_for_schools([school])[school.urn].get(programme.network_id)
    previous_year_place = find_previous_year_place(offering=offering, applicant=applicant)
    earlier = Application.objects.filter(
        applicant=applicant,
        offering__programme=programme,
        offering__academic_year__lt=offering.academic_year,
        state__in=HOLDS_PLACE,
    )
    conflicting_programmes = [programme.pk, *programme.conflicts_with.values_list("pk", flat=True)]
    this_year = Application.objects.filter(
        applicant=applicant,
        offering__academic_year=offering.academic_year,
        offering__programme__in=conflicting_programmes,
        state__in=(*ACTIVE, State.COMPLETED, State.NOT_COMPLETED),
    )
    return Candidate(
        school_is_state_funded_in_england=bool(school.is_state_funded) and bool(school.la_code),
        school_is_open=school.is_open,
        school_in_hub_area=hub_for_school is not None and hub_for_school.pk == offering.hub_id,
        # A national provider's offering has no hub area: it is open to schools everywhere.
        offering_is_local_only=offering.local_only and offering.hub_id is not None,
        school_phases=frozenset(SCHOOL_PHASES.get(school.phase, set())),
        programme_phase=programme.phase,
        job_role=job_role,
        audience=frozenset(programme.audience_roles),
        took_part_before=earlier.exists(),
        programme_year=offering.programme_year,
        continues_previous_year=previous_year_place is not None,
        window_opens_at=offering.applications_open_at,
        window_closes_at=offering.applications_close_at,
        now=now or timezone.now(),
        applied_this_year_for_conflicting=this_year.exists(),
        programme_kind=programme.kind,
        leads_pd_beyond_own_school=leads_pd_beyond_own_school,
    )


def find_previous_year_place(*, offering: Offering, applicant):
    """Return the applicant's place on the previous year of the same programme that an
    application to this offering would continue, or None (always None for year 1)."""
    from .models import Application, State

    if offering.programme_year <= 1 or not getattr(applicant, "pk", None):
        return None
    return (
        Application.objects.filter(
            applicant=applicant,
            offering__programme_id=offering.programme_id,
            offering__programme_year=offering.programme_year - 1,
            offering__academic_year=offering.academic_year - 1,
            state__in=(State.ACCEPTED, State.COMPLETED),
        )
        .order_by("-submitted_at")
        .first()
    )


def check_person(*, offering: Offering, person, now=None) -> Refusal | None:
    """Check what can be known about a signed-in person before they fill in the form: with no
    school on their account only the window; with no role, the role is left for the form."""
    now = now or timezone.now()
    if person.school is None:
        # `window_closed` reads only these three facts.
        return window_closed(
            types.SimpleNamespace(
                now=now,
                window_opens_at=offering.applications_open_at,
                window_closes_at=offering.applications_close_at,
            )
        )
    candidate = build_candidate(
        offering=offering, applicant=person, school=person.school, job_role=person.job_role, now=now
    )
    if not person.job_role:
        candidate = dataclasses.replace(candidate, job_role=next(iter(candidate.audience), ""))
    return check(candidate)


# The rules about the school and the offering, not about a person: a school's enrolment.
SCHOOL_RULES: tuple[Rule, ...] = (not_state_funded, outside_hub_area, wrong_phase, window_closed)


def check_school(*, offering: Offering, school, now=None) -> Refusal | None:
    """Return the first rule that refuses a school's enrolment, or None when it may enrol."""
    candidate = build_candidate(
        offering=offering, applicant=None, school=school, job_role="", now=now
    )
    for rule in SCHOOL_RULES:
        refusal = rule(candidate)
        if refusal is not None:
            return refusal
    return None
