"""Token endpoints: applications as the token's person may see them, and hub decisions.

Each person sees only their own rows: hub staff their hubs' applications, national staff all,
school approvers their schools' staff, a teacher their own. An application outside that is
answered 404, the same as one that does not exist.
"""

import datetime
from typing import Literal

from django.http import Http404
from ninja import Path, Query, Router, Schema, Status
from pydantic import Field

from cpdnet.accounts.permissions import Access
from cpdnet.applications import selectors as application_selectors
from cpdnet.applications.models import Application, SchoolEnrolment, State
from cpdnet.applications.services import ApplicationError, decide_application

from .auth import TokenAuth
from .params import UPDATED_SINCE, PageParams, aware, paginate
from .schemas import Error

router = Router(tags=["applications"], auth=TokenAuth())
# Any person with a token; each endpoint narrows to what that person's roles may see or do.
router.access = Access.SIGNED_IN
MAX_ID = 2_147_483_647


class ApplicationOut(Schema):
    id: int
    state: str
    state_reason: str
    offering: int = Field(description="The offering's id")
    programme: str = Field(description="The programme's slug")
    academic_year: int
    hub: str = Field(description="The hub's slug")
    applicant_email: str
    applicant_name: str
    job_role: str
    school_urn: int
    submitted_at: datetime.datetime
    updated_at: datetime.datetime


class ApplicationPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[ApplicationOut]


class ApplicationSearch(PageParams):
    state: State | None = None
    offering: int | None = Field(None, ge=1, le=MAX_ID, description="An offering's id")
    updated_since: datetime.datetime | None = Field(None, description=UPDATED_SINCE)


class DecisionIn(Schema):
    decision: Literal["accept", "decline", "waitlist"]
    reason: str = Field("", max_length=300, description="Told to the applicant")


class Refusal(Schema):
    detail: str
    code: str


def _application(application: Application) -> dict:
    offering = application.offering
    return {
        "id": application.pk,
        "state": application.state,
        "state_reason": application.state_reason,
        "offering": offering.pk,
        "programme": offering.programme.slug,
        "academic_year": offering.academic_year,
        "hub": offering.hub.slug if offering.hub_id else None,
        "applicant_email": application.applicant.email,
        "applicant_name": application.applicant.get_full_name(),
        "job_role": application.job_role,
        "school_urn": application.school_id,
        "submitted_at": application.submitted_at,
        "updated_at": application.updated_at,
    }


@router.get(
    "/applications",
    response={200: ApplicationPage, 401: Error},
    summary="Applications this token's person may see, newest first",
)
def list_applications(request, params: Query[ApplicationSearch]):
    applications = application_selectors.list_visible_applications(request.auth)
    if params.state is not None:
        applications = applications.filter(state=params.state.value)
    if params.offering is not None:
        applications = applications.filter(offering_id=params.offering)
    if params.updated_since is not None:
        applications = applications.filter(updated_at__gte=aware(params.updated_since))
    return paginate(applications, params, _application)


@router.post(
    "/applications/{application_id}/decision",
    response={200: ApplicationOut, 401: Error, 403: Error, 404: Error, 409: Refusal},
    summary="Accept, waitlist or decline an application (hub or national staff)",
)
def decide(request, body: DecisionIn, application_id: int = Path(..., ge=1, le=MAX_ID)):
    """409 with a `code` when the decision cannot be made: `no_places_left` when the offering
    is full, `invalid_transition` when the application has moved on."""
    decidable = application_selectors.list_decidable_applications(request.auth)
    if decidable is None:
        return Status(403, {"detail": "Only hub staff and national staff can decide applications."})
    not_found = Http404(f"No application has the id {application_id}.")
    application = decidable.filter(pk=application_id).first()
    if application is None:
        raise not_found
    try:
        decide_application(
            application=application, decision=body.decision, by=request.auth, reason=body.reason
        )
    except ApplicationError as error:
        return Status(409, {"detail": error.reason, "code": error.code})
    except Application.DoesNotExist:  # deleted since it was read
        raise not_found from None
    decided = decidable.filter(pk=application_id).first()
    if decided is None:
        raise not_found
    return Status(200, _application(decided))


class EnrolmentLeadOut(Schema):
    name: str
    email: str
    application: int | None = Field(description="The lead's application, once completed")
    application_state: str | None


class SchoolEnrolmentOut(Schema):
    id: int
    state: str
    offering: int = Field(description="The offering's id")
    school_urn: int
    school_name: str
    senior_leader_name: str
    senior_leader_role: str
    releases_for_sessions: bool
    gives_gap_task_time: bool
    colleagues_reached: int | None
    leads: list[EnrolmentLeadOut]
    created_at: datetime.datetime
    updated_at: datetime.datetime


class SchoolEnrolmentPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[SchoolEnrolmentOut]


class SchoolEnrolmentSearch(PageParams):
    offering: int | None = Field(None, ge=1, le=MAX_ID, description="An offering's id")
    updated_since: datetime.datetime | None = Field(None, description=UPDATED_SINCE)


def _enrolment(enrolment: SchoolEnrolment) -> dict:
    return {
        "id": enrolment.pk,
        "state": enrolment.state,
        "offering": enrolment.offering_id,
        "school_urn": enrolment.school_id,
        "school_name": enrolment.school.name,
        "senior_leader_name": enrolment.senior_leader_name,
        "senior_leader_role": enrolment.senior_leader_role,
        "releases_for_sessions": enrolment.releases_for_sessions,
        "gives_gap_task_time": enrolment.gives_gap_task_time,
        "colleagues_reached": enrolment.colleagues_reached,
        "leads": [
            {
                "name": lead.full_name,
                "email": lead.email,
                "application": lead.application_id,
                "application_state": lead.application.state if lead.application_id else None,
            }
            for lead in enrolment.leads.all()
        ],
        "created_at": enrolment.created_at,
        "updated_at": enrolment.updated_at,
    }


@router.get(
    "/school-enrolments",
    response={200: SchoolEnrolmentPage, 401: Error},
    summary="Schools enrolled by their senior leader in offerings this token's person runs",
)
def list_school_enrolments(request, params: Query[SchoolEnrolmentSearch]):
    """Hub and provider staff see their offerings' enrolments, national staff all; anyone
    else an empty list."""
    enrolments = application_selectors.list_managed_school_enrolments(request.auth)
    if params.offering is not None:
        enrolments = enrolments.filter(offering_id=params.offering)
    if params.updated_since is not None:
        enrolments = enrolments.filter(updated_at__gte=aware(params.updated_since))
    return paginate(enrolments, params, _enrolment)
