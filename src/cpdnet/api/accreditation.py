"""The register of accredited PD Leads (public), and accreditation submissions with a token.

Submissions are scoped to the token's person: an assessor or moderator sees the submissions
they mark, national staff all, hub staff their hub's candidates; anyone else gets 403. Nobody
sees another assessor's marks while the submission is still being marked or moderated.
"""

import datetime

from django.db.models import Prefetch
from ninja import Query, Router, Schema, Status
from pydantic import Field

from cpdnet.accounts.permissions import Access
from cpdnet.accreditation import selectors
from cpdnet.accreditation.models import (
    Accreditation,
    Assessment,
    Candidacy,
    CandidacyState,
    SubmittedVersion,
)
from cpdnet.accreditation.register_cache import cached_page
from cpdnet.programmes.models import Phase

from .auth import TokenAuth
from .params import PageParams, paginate
from .schemas import Error

register_router = Router(tags=["accreditation"])
register_router.access = Access.PUBLIC

router = Router(tags=["accreditation"], auth=TokenAuth())
# Any person with a token; the endpoint narrows to what that person's roles may see.
router.access = Access.SIGNED_IN

# While a candidacy is in one of these, its latest version's marks are private to each marker.
BEING_MARKED = {CandidacyState.SUBMITTED, CandidacyState.ASSESSING, CandidacyState.MODERATING}


class RegisterEntry(Schema):
    name: str
    phase: str
    hub: str | None = Field(description="The hub's slug; null for a national accreditation")
    accredited_on: datetime.date
    valid_until: datetime.date
    code: str = Field(description="Check it at /certificates/<code>/")


class RegisterPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[RegisterEntry]


class RegisterSearch(PageParams):
    phase: Phase | None = None
    hub: str | None = Field(None, max_length=80, description="A hub's slug")
    network: str | None = Field(None, max_length=40, description="A network's slug")


def _entry(accreditation: Accreditation) -> dict:
    return {
        "name": accreditation.holder.get_full_name(),
        "phase": accreditation.phase,
        "hub": accreditation.hub.slug if accreditation.hub_id else None,
        "accredited_on": accreditation.accredited_on,
        "valid_until": accreditation.valid_until,
        "code": accreditation.code,
    }


@register_router.get(
    "/accreditation/register",
    response={200: RegisterPage},
    summary="Accredited PD Leads who chose to be listed, valid today, by name",
)
def register(request, params: Query[RegisterSearch]):
    phase = params.phase.value if params.phase else None

    def build() -> dict:
        rows = selectors.public_register(phase=phase, hub=params.hub, network=params.network)
        start = (params.page - 1) * params.page_size
        page = selectors.page_of(rows, start=start, stop=start + params.page_size)
        return {
            "count": rows.count(),
            "page": params.page,
            "page_size": params.page_size,
            "items": [_entry(accreditation) for accreditation in page],
        }

    parts = (phase, params.hub, params.network, params.page, params.page_size)
    return cached_page(parts, build)


class MarkOut(Schema):
    section: str
    met: bool | None
    feedback: str


class AssessmentOut(Schema):
    role: str
    assessor: str
    recommendation: str
    completed_at: datetime.datetime | None
    marks: list[MarkOut] | None = Field(
        description="Null while another assessor's marking is private (before moderation ends)"
    )


class VersionOut(Schema):
    number: int
    submitted_at: datetime.datetime
    assessments: list[AssessmentOut]


class SubmissionOut(Schema):
    id: int = Field(description="The candidacy's id")
    state: str
    phase: str
    hub: str | None
    candidate_name: str
    programme: str
    academic_year: int
    versions: list[VersionOut]


class SubmissionPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[SubmissionOut]


class SubmissionSearch(PageParams):
    state: CandidacyState | None = None
    phase: Phase | None = None


def _shape_for(viewer):
    def shape(candidacy: Candidacy) -> dict:
        versions = list(candidacy.versions.all())
        latest = versions[-1].pk if versions else None
        offering = candidacy.application.offering
        return {
            "id": candidacy.pk,
            "state": candidacy.state,
            "phase": candidacy.phase,
            "hub": candidacy.hub.slug if candidacy.hub_id else None,
            "candidate_name": candidacy.candidate.get_full_name(),
            "programme": offering.programme.slug,
            "academic_year": offering.academic_year,
            "versions": [
                {
                    "number": version.number,
                    "submitted_at": version.submitted_at,
                    "assessments": [
                        _assessment(
                            assessment,
                            marks_visible=assessment.assessor_id == viewer.pk
                            or version.pk != latest
                            or candidacy.state not in BEING_MARKED,
                        )
                        for assessment in version.assessments.all()
                    ],
                }
                for version in versions
            ],
        }

    return shape


def _assessment(assessment: Assessment, *, marks_visible: bool) -> dict:
    return {
        "role": assessment.role,
        "assessor": assessment.assessor.get_full_name(),
        "recommendation": assessment.recommendation if marks_visible else "",
        "completed_at": assessment.completed_at,
        "marks": [
            {"section": mark.section, "met": mark.met, "feedback": mark.feedback}
            for mark in assessment.marks.all()
        ]
        if marks_visible
        else None,
    }


@router.get(
    "/accreditation/submissions",
    response={200: SubmissionPage, 401: Error, 403: Error},
    summary="Accreditation submissions this token's person may see, newest first",
)
def submissions(request, params: Query[SubmissionSearch]):
    visible = selectors.list_submissions_for(request.auth)
    if visible is None:
        return Status(
            403,
            {"detail": "Only assessors, moderators, hub staff and national staff see submissions."},
        )
    if params.state is not None:
        visible = visible.filter(state=params.state.value)
    if params.phase is not None:
        visible = visible.filter(phase=params.phase.value)
    visible = visible.order_by("-updated_at", "-pk").prefetch_related(
        Prefetch(
            "versions",
            queryset=SubmittedVersion.objects.order_by("number").prefetch_related(
                Prefetch(
                    "assessments",
                    queryset=Assessment.objects.select_related("assessor").prefetch_related(
                        "marks"
                    ),
                )
            ),
        )
    )
    return paginate(visible, params, _shape_for(request.auth))
