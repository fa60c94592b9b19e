"""Reads for accreditation, each scoped to the person asking: national staff see all, hub
staff their hub's candidates, an assessor only their assignments, a candidate their own.
Lists run a fixed number of queries however many rows they show."""

import csv
import datetime
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from cpdnet.accounts.models import Role, User
from cpdnet.accounts.selectors import has_role, is_national_staff, list_staffed_hub_ids
from cpdnet.delivery.models import Attendance, AttendanceStatus
from cpdnet.evaluation.models import SessionFeedback
from cpdnet.programmes.models import Offering

from . import rules
from .models import (
    EVIDENCE_SECTIONS,
    Accreditation,
    Assessment,
    AssessmentRole,
    Candidacy,
    CandidacyState,
    EvidenceFile,
)


def _candidacies() -> QuerySet[Candidacy]:
    return Candidacy.objects.select_related(
        "candidate", "hub", "application__offering__programme", "application__school"
    )


def get_candidacy_for_candidate(user: User, pk: int) -> Candidacy:
    """The person's own candidacy, or 404 (alike for missing and someone else's)."""
    candidacy = _candidacies().filter(pk=pk, candidate_id=user.pk).first()
    if candidacy is None or not user.is_authenticated:
        raise Http404("You have no candidacy with this number")
    return candidacy


def appeal_last_day(candidacy: Candidacy) -> datetime.date | None:
    """The last day to appeal against the decision not to accredit; None without one."""
    if candidacy.state != CandidacyState.NOT_ACCREDITED:
        return None
    decided_at = (
        candidacy.history.filter(to_state=CandidacyState.NOT_ACCREDITED)
        .order_by("-created_at", "-pk")
        .values_list("created_at", flat=True)
        .first()
    )
    return rules.appeal_last_day(
        outcome_on=timezone.localdate(decided_at), days=settings.ACCREDITATION_APPEAL_DAYS
    )


def list_own_candidacies(user: User) -> QuerySet[Candidacy]:
    if not user.is_authenticated:
        return Candidacy.objects.none()
    return _candidacies().filter(candidate=user)


def list_candidacies_for(
    user: User, *, state: str | None = None, phase: str | None = None
) -> QuerySet[Candidacy]:
    """Candidacies staff may see: national staff all, hub staff their hub's, others none."""
    if not user.is_authenticated:
        return Candidacy.objects.none()
    rows = _candidacies()
    if not is_national_staff(user):
        hub_ids = list_staffed_hub_ids(user)
        if not hub_ids:
            return Candidacy.objects.none()
        rows = rows.filter(hub_id__in=hub_ids)
    if state:
        rows = rows.filter(state=state)
    if phase:
        rows = rows.filter(phase=phase)
    return rows


def access_candidacy(user: User, pk: int) -> Candidacy:
    """A candidacy staff may see, or 404."""
    candidacy = list_candidacies_for(user).filter(pk=pk).first()
    if candidacy is None:
        raise Http404("No candidacy you can see has this number")
    return candidacy


# --- The evidence document ------------------------------------------------------------------


@dataclass(frozen=True)
class EvidenceSection:
    key: str
    heading: str
    guidance: str
    suggested_words: int
    text: str
    word_count: int
    files: list[EvidenceFile] = field(default_factory=list)

    @property
    def is_over_guidance(self) -> bool:
        return self.word_count > self.suggested_words


def word_count(text: str) -> int:
    return len(text.split())


def evidence_document(candidacy: Candidacy) -> list[EvidenceSection]:
    """The document's sections in order, with guidance, the draft text, its word count and
    the files attached to each (two queries)."""
    texts = dict(candidacy.drafts.values_list("section", "text"))
    files: dict[str, list[EvidenceFile]] = {}
    for evidence_file in candidacy.files.filter(removed_at__isnull=True):
        files.setdefault(evidence_file.section, []).append(evidence_file)
    return [
        EvidenceSection(
            key=key,
            heading=heading,
            guidance=guidance,
            suggested_words=words,
            text=texts.get(key, ""),
            word_count=word_count(texts.get(key, "")),
            files=files.get(key, []),
        )
        for key, heading, guidance, words in EVIDENCE_SECTIONS
    ]


def unsectioned_files(candidacy: Candidacy) -> QuerySet[EvidenceFile]:
    return candidacy.files.filter(removed_at__isnull=True, section="")


@dataclass(frozen=True)
class LedOfferingEvidence:
    offering: Offering
    sessions_held: int
    attendances: int
    participants: int
    feedback_count: int
    average_rating: float | None


def evidence_from_led_offerings(candidacy: Candidacy) -> list[LedOfferingEvidence]:
    """Per cited offering: sessions held, attendance and feedback as counts only (no names,
    no comments), in one query."""
    now = timezone.now()
    attended = Attendance.objects.filter(
        session__offering=OuterRef("pk"), status=AttendanceStatus.ATTENDED
    )
    offerings = (
        candidacy.led_offerings.select_related("programme")
        .annotate(
            sessions_held=Count(
                "sessions",
                filter=Q(sessions__cancelled_at__isnull=True, sessions__starts_at__lte=now),
                distinct=True,
            ),
            attendances=_subquery_count(attended, "pk"),
            participants=_subquery_count(attended, "application_id", distinct=True),
            feedback_count=_subquery_count(
                SessionFeedback.objects.filter(session__offering=OuterRef("pk")), "pk"
            ),
        )
        .order_by("starts_on", "pk")
    )
    ratings = _average_ratings([o.pk for o in offerings])
    return [
        LedOfferingEvidence(
            offering=o,
            sessions_held=o.sessions_held,
            attendances=o.attendances,
            participants=o.participants,
            feedback_count=o.feedback_count,
            average_rating=ratings.get(o.pk),
        )
        for o in offerings
    ]


def _subquery_count(rows: QuerySet, column: str, *, distinct: bool = False):
    from django.db.models import IntegerField, Subquery
    from django.db.models.functions import Coalesce

    counted = (
        rows.order_by()
        .values("session__offering")
        .annotate(total=Count(column, distinct=distinct))
        .values("total")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _average_ratings(offering_ids: list[int]) -> dict[int, float]:
    from django.db.models import Avg

    if not offering_ids:
        return {}
    rows = (
        SessionFeedback.objects.filter(session__offering_id__in=offering_ids)
        .values("session__offering_id")
        .annotate(average=Avg("rating"))
    )
    return {row["session__offering_id"]: round(float(row["average"]), 1) for row in rows}


# --- Assessors and moderation ----------------------------------------------------------------


def _assessments() -> QuerySet[Assessment]:
    return Assessment.objects.select_related(
        "assessor",
        "version__candidacy__candidate",
        "version__candidacy__hub",
        "version__candidacy__application__offering__programme",
    )


def list_assignments(assessor: User, *, completed: bool | None = None) -> QuerySet[Assessment]:
    """The person's own assignments, open first."""
    if not assessor.is_authenticated:
        return Assessment.objects.none()
    rows = _assessments().filter(assessor=assessor)
    if completed is not None:
        rows = rows.filter(completed_at__isnull=not completed)
    # NULLS FIRST on both databases: SQLite puts nulls last in a descending sort.
    return rows.order_by(F("completed_at").desc(nulls_first=True), "assigned_at", "pk")


def moderation_is_complete(assessment: Assessment) -> bool:
    """Whether both markings of its version are in (the first marks may then be shown)."""
    return (
        Assessment.objects.filter(version_id=assessment.version_id, completed_at__isnull=False)
        .values("role")
        .distinct()
        .count()
        == 2
    )


@dataclass
class AssessorView:
    """What an assessor sees of one assignment: the frozen evidence and their own marks; the
    other marking only once moderation is complete."""

    assessment: Assessment
    sections: list[dict]
    marks: dict
    other_marking: Assessment | None
    other_marks: dict


def get_assessment_for_assessor(user: User, pk: int) -> AssessorView:
    """The person's own assignment, or 404 alike for missing and someone else's."""
    assessment = _assessments().filter(pk=pk, assessor_id=user.pk).first()
    if assessment is None or not user.is_authenticated:
        raise Http404("You have no assignment with this number")
    version = assessment.version
    marks = {mark.section: mark for mark in assessment.marks.all()}
    other, other_marks = None, {}
    if assessment.role == AssessmentRole.MODERATION and moderation_is_complete(assessment):
        other = version.assessments.filter(role=AssessmentRole.FIRST).first()
        other_marks = {mark.section: mark for mark in other.marks.all()} if other else {}
    sections = [
        {
            "key": key,
            "heading": heading,
            "guidance": guidance,
            "text": version.sections.get(key, ""),
            "word_count": word_count(version.sections.get(key, "")),
        }
        for key, heading, guidance, _words in EVIDENCE_SECTIONS
    ]
    return AssessorView(assessment, sections, marks, other, other_marks)


# Once ratified, a candidate sees the feedback on that version (to resubmit, or to appeal).
DECIDED = {
    CandidacyState.RESUBMISSION,
    CandidacyState.ACCREDITED,
    CandidacyState.NOT_ACCREDITED,
}


def feedback_for_candidate(candidacy: Candidacy) -> list[dict]:
    """Per submitted version whose outcome is ratified: each completed marking's
    recommendation, overall feedback and section marks (two queries)."""
    versions = list(
        candidacy.versions.order_by("number").prefetch_related(
            Prefetch(
                "assessments",
                queryset=Assessment.objects.filter(completed_at__isnull=False).prefetch_related(
                    "marks"
                ),
            )
        )
    )
    latest = versions[-1].pk if versions else None
    return [
        {
            "version": version,
            "assessments": [
                {
                    "role": assessment.get_role_display(),
                    "recommendation": assessment.get_recommendation_display(),
                    "summary": assessment.summary,
                    "marks": {mark.section: mark for mark in assessment.marks.all()},
                }
                for assessment in version.assessments.all()
            ],
        }
        for version in versions
        if version.pk != latest or candidacy.state in DECIDED
    ]


def list_visible_assessments(user: User) -> QuerySet[Assessment] | None:
    """Assessments for the API: an assessor their own, national staff all, hub staff their
    hub's candidates'; None for anyone else."""
    if not user.is_authenticated:
        return None
    if is_national_staff(user):
        return _assessments()
    hub_ids = list_staffed_hub_ids(user)
    if hub_ids:
        return _assessments().filter(version__candidacy__hub_id__in=hub_ids)
    if has_role(user, Role.ASSESSOR) or has_role(user, Role.MODERATOR):
        return _assessments().filter(assessor=user)
    return None


def list_submissions_for(user: User) -> QuerySet[Candidacy] | None:
    """Submitted candidacies the person may see through the API (see list_visible_assessments
    for who); None when they may see none."""
    if not user.is_authenticated:
        return None
    base = _candidacies().filter(versions__isnull=False).distinct()
    if is_national_staff(user):
        return base
    hub_ids = list_staffed_hub_ids(user)
    if hub_ids:
        return base.filter(hub_id__in=hub_ids)
    if has_role(user, Role.ASSESSOR) or has_role(user, Role.MODERATOR):
        return base.filter(versions__assessments__assessor=user)
    return None


def assessor_workload() -> QuerySet[User]:
    """Every assessor and moderator with their open and completed assignments (one query)."""
    return (
        User.objects.filter(roles__role__in=[Role.ASSESSOR, Role.MODERATOR])
        .distinct()
        .annotate(
            open_assignments=Count(
                "assessments", filter=Q(assessments__completed_at__isnull=True), distinct=True
            ),
            completed_assignments=Count(
                "assessments", filter=Q(assessments__completed_at__isnull=False), distinct=True
            ),
        )
        .order_by("-open_assignments", "full_name", "email")
    )


def moderation_queue() -> QuerySet[Candidacy]:
    """Candidacies being moderated: waiting for a moderator, being marked, or disagreeing."""
    moderated = Assessment.objects.filter(
        version__candidacy=OuterRef("pk"), role=AssessmentRole.MODERATION
    )
    return (
        _candidacies()
        .filter(state=CandidacyState.MODERATING)
        .annotate(
            has_moderator=Exists(moderated),
            moderation_done=Exists(moderated.filter(completed_at__isnull=False)),
        )
        .order_by("updated_at", "pk")
    )


def awaiting_ratification() -> QuerySet[Candidacy]:
    return (
        _candidacies()
        .filter(state=CandidacyState.AWAITING_RATIFICATION)
        .order_by("updated_at", "pk")
    )


def awaiting_assessor() -> QuerySet[Candidacy]:
    return _candidacies().filter(state=CandidacyState.SUBMITTED).order_by("updated_at", "pk")


# --- The register ---------------------------------------------------------------------------


def _register() -> QuerySet[Accreditation]:
    return Accreditation.objects.select_related("holder", "hub__network")


def _filtered(
    rows: QuerySet[Accreditation], phase: str | None, hub: str | None, network: str | None
) -> QuerySet[Accreditation]:
    if phase:
        rows = rows.filter(phase=phase)
    if hub:
        rows = rows.filter(hub__slug=hub)
    if network:
        rows = rows.filter(hub__network__slug=network)
    return rows


def current(rows: QuerySet[Accreditation], today: datetime.date | None = None):
    today = today or timezone.localdate()
    return rows.filter(lapsed_at__isnull=True, withdrawn_at__isnull=True, valid_until__gte=today)


def public_register(
    *, phase: str | None = None, hub: str | None = None, network: str | None = None
) -> QuerySet[Accreditation]:
    """Accredited PD Leads who chose to be listed, valid today, by name. (Erasing an account
    withdraws its accreditation, so no one erased is listed.)"""
    rows = current(_register().filter(on_public_register=True))
    return _filtered(rows, phase, hub, network).order_by("holder__full_name", "pk")


def page_of(rows: QuerySet[Accreditation], *, start: int, stop: int) -> list[Accreditation]:
    """One page of a register in two narrow steps: sort only ids and names, then load the
    page's rows with their holder and hub (sorting whole joined rows costs several times
    more at national size; see bench/accreditation_register.py)."""
    ids = list(rows.values_list("pk", flat=True)[start:stop])
    loaded = _register().in_bulk(ids)
    return [loaded[pk] for pk in ids]


def full_register(
    user: User,
    *,
    phase: str | None = None,
    hub: str | None = None,
    network: str | None = None,
    include_ended: bool = False,
) -> QuerySet[Accreditation]:
    """Every accreditation for national staff, their hubs' for hub staff, none for others."""
    if not user.is_authenticated:
        return Accreditation.objects.none()
    rows = _register()
    if not is_national_staff(user):
        hub_ids = list_staffed_hub_ids(user)
        if not hub_ids:
            return Accreditation.objects.none()
        rows = rows.filter(hub_id__in=hub_ids)
    if not include_ended:
        rows = current(rows)
    return _filtered(rows, phase, hub, network).order_by("holder__full_name", "pk")


def list_own_accreditations(user: User) -> QuerySet[Accreditation]:
    if not user.is_authenticated:
        return Accreditation.objects.none()
    return _register().filter(holder=user).prefetch_related("renewals")


def list_renewals_to_review() -> QuerySet:
    from .models import Renewal, RenewalState

    return (
        Renewal.objects.filter(state=RenewalState.SUBMITTED)
        .select_related("accreditation__holder", "accreditation__hub")
        .order_by("submitted_at", "pk")
    )


def normalise_accreditation_code(typed: str) -> str:
    """A `PDL-` code as stored from what a person typed, or '' if it cannot be one."""
    from cpdnet.delivery.certificates import normalise_code

    raw = "".join(typed.split()).upper()
    if not raw.startswith("PDL"):
        return ""
    rest = normalise_code(raw[3:].lstrip("-"))
    return rules.CODE_PREFIX + rest if rest else ""


@dataclass(frozen=True)
class AccreditationFacts:
    code: str
    holder: str
    phase: str
    hub: str
    accredited_on: datetime.date
    valid_until: datetime.date
    status: str  # "valid", "lapsed", "withdrawn"


def verify_code(code: str) -> AccreditationFacts | None:
    """What anyone may check about an accreditation code, or None when there is none."""
    canonical = normalise_accreditation_code(code)
    if not canonical:
        return None
    accreditation = _register().filter(code=canonical).first()
    if accreditation is None:
        return None
    if accreditation.withdrawn_at or not accreditation.holder.is_active:
        status = "withdrawn"
    elif accreditation.lapsed_at or accreditation.valid_until < timezone.localdate():
        status = "lapsed"
    else:
        status = "valid"
    return AccreditationFacts(
        code=accreditation.code,
        holder="" if status == "withdrawn" else accreditation.holder.get_full_name(),
        phase=accreditation.get_phase_display(),
        hub=accreditation.hub.name if accreditation.hub else "National",
        accredited_on=accreditation.accredited_on,
        valid_until=accreditation.valid_until,
        status=status,
    )


# --- The PG Cert route ----------------------------------------------------------------------

PG_CERT_COLUMNS = (
    "candidate_name",
    "candidate_email",
    "phase",
    "hub",
    "cohort",
    "academic_year",
    "joined_on",
    "fee",
    "state",
    "outcome",
    "accreditation_code",
    "accredited_on",
)


def pg_cert_candidates(
    *, academic_year: int | None = None, phase: str | None = None
) -> QuerySet[Candidacy]:
    """Candidates on the PG Cert route, for the university partner (national staff only)."""
    rows = (
        _candidacies()
        .filter(pg_cert_opted_in_at__isnull=False)
        .select_related("accreditation")
        .order_by("application__offering__academic_year", "phase", "candidate__full_name", "pk")
    )
    if academic_year:
        rows = rows.filter(application__offering__academic_year=academic_year)
    if phase:
        rows = rows.filter(phase=phase)
    return rows


OUTCOMES = {
    CandidacyState.ACCREDITED: "accredited",
    CandidacyState.NOT_ACCREDITED: "not accredited",
    CandidacyState.WITHDRAWN: "withdrawn",
}


def pg_cert_rows(candidacies: QuerySet[Candidacy]) -> Iterator[list[str]]:
    """The CSV's header and one row per candidate."""
    yield list(PG_CERT_COLUMNS)
    for candidacy in candidacies.iterator(chunk_size=500):
        offering = candidacy.application.offering
        accreditation = getattr(candidacy, "accreditation", None)
        yield [
            candidacy.candidate.get_full_name(),
            candidacy.candidate.email,
            candidacy.get_phase_display(),
            candidacy.hub.name if candidacy.hub else "",
            offering.cohort_name or str(offering),
            str(offering.academic_year),
            f"{candidacy.pg_cert_opted_in_at:%Y-%m-%d}",
            f"{candidacy.pg_cert_fee:.2f}" if candidacy.pg_cert_fee is not None else "",
            candidacy.get_state_display(),
            OUTCOMES.get(candidacy.state, "in progress"),
            accreditation.code if accreditation else "",
            f"{accreditation.accredited_on:%Y-%m-%d}" if accreditation else "",
        ]


class _Echo:
    def write(self, value: str) -> str:
        return value


def pg_cert_csv_lines(candidacies: QuerySet[Candidacy]) -> Iterator[str]:
    """The export as CSV lines, for a StreamingHttpResponse; cells starting like a formula are
    quoted with a leading apostrophe so a spreadsheet does not run them."""
    writer = csv.writer(_Echo())
    for row in pg_cert_rows(candidacies):
        yield writer.writerow([_safe_cell(cell) for cell in row])


def _safe_cell(cell: str) -> str:
    return "'" + cell if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell
