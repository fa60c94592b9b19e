"""Public endpoint: register for a webinar without an account, as the registration page does."""

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.http import Http404
from ninja import Path, Router, Schema, Status
from pydantic import Field

from cpdnet import rate_limits
from cpdnet.accounts.models import SCHOOL_REACH_KINDS, JobRole, OrganisationKind
from cpdnet.accounts.names import validate_person_name
from cpdnet.accounts.permissions import Access
from cpdnet.events import selectors, services
from cpdnet.programmes.models import Offering
from cpdnet.schools import selectors as school_selectors
from cpdnet.schools.models import School

from .schemas import Error

router = Router(tags=["webinars and events"])
router.access = Access.PUBLIC
MAX_ID = 2_147_483_647


class RegistrationIn(Schema):
    # Plain strings so that every bad field is answered with our own reason, all at once.
    name: str = Field(..., max_length=200)
    email: str = Field(..., max_length=254)
    role: str = Field(..., max_length=40, description="A job role, e.g. class_teacher")
    urn: int | None = Field(
        None, ge=1, le=9_999_999, description="The school's URN; leave out if not at a school"
    )
    organisation_kind: str = Field(
        OrganisationKind.SCHOOL,
        max_length=40,
        description="Where the person works: school (the default), college, university, "
        "itt_provider, industry, policy or other; the event must be open to it",
    )
    organisation_name: str = Field(
        "", max_length=200, description="The organisation's name; required unless a school"
    )


class RegistrationOut(Schema):
    status: str = Field(description="confirmed, or waitlisted when every place is taken")


class Refusal(Schema):
    detail: str
    code: str


class FieldError(Schema):
    field: str
    reason: str


class Invalid(Schema):
    detail: str
    errors: list[FieldError]


def _field_errors(body: RegistrationIn, offering: Offering) -> tuple[list[dict], School | None]:
    errors, school = [], None
    if not body.name.strip():
        errors.append({"field": "name", "reason": "Enter a name."})
    try:
        validate_person_name(body.name)
    except ValidationError as error:
        errors.append({"field": "name", "reason": str(error.messages[0])})
    try:
        validate_email(body.email.strip())
    except ValidationError:
        errors.append({"field": "email", "reason": "Enter a valid email address."})
    if body.role not in JobRole.values:
        errors.append({"field": "role", "reason": f"Use one of: {', '.join(JobRole.values)}."})
    if body.organisation_kind not in OrganisationKind.values:
        errors.append(
            {
                "field": "organisation_kind",
                "reason": f"Use one of: {', '.join(OrganisationKind.values)}.",
            }
        )
    elif body.organisation_kind not in offering.open_to_kinds:
        errors.append(
            {
                "field": "organisation_kind",
                "reason": f"This event is open to: {', '.join(offering.open_to_kinds)}.",
            }
        )
    elif body.organisation_kind != OrganisationKind.SCHOOL and not body.organisation_name.strip():
        errors.append(
            {"field": "organisation_name", "reason": "Name the organisation, unless a school."}
        )
    if body.urn is not None and body.organisation_kind not in SCHOOL_REACH_KINDS:
        errors.append(
            {"field": "urn", "reason": "Leave out the URN: only for a school or college."}
        )
    elif body.urn is not None:
        try:
            school = school_selectors.get_school(body.urn)
        except School.DoesNotExist:
            errors.append({"field": "urn", "reason": f"No school has the URN {body.urn}."})
    return errors, school


@router.post(
    "/events/{offering_id}/registrations",
    response={201: RegistrationOut, 404: Error, 409: Refusal, 422: Invalid},
    summary="Register for a webinar (no account needed)",
)
def register(request, body: RegistrationIn, offering_id: int = Path(..., ge=1, le=MAX_ID)):
    """201 with `confirmed` while places last, then `waitlisted`. 409 with a `code`:
    `already_registered` for a second registration of the same email (in any case),
    `not_open_yet` or `closed` outside the registration window. 422 lists each bad field,
    including an `organisation_kind` the event is not open to and a missing
    `organisation_name` for anyone not from a school.
    429 with `Retry-After` after many registrations from one address or for one email."""
    try:
        offering = selectors.get_webinar(offering_id)
    except Offering.DoesNotExist:
        raise Http404(f"No webinar has the id {offering_id}.") from None
    errors, school = _field_errors(body, offering)
    if errors:
        return Status(422, {"detail": "Some fields are not valid; see errors.", "errors": errors})
    rate_limits.hit("event_registration", request=request, account=body.email)
    try:
        registration = services.register(
            offering=offering,
            name=body.name,
            email=body.email,
            job_role=body.role,
            school=school,
            organisation_kind=body.organisation_kind,
            organisation_name=body.organisation_name,
        )
    except services.RegistrationError as error:
        return Status(409, {"detail": error.reason, "code": error.code})
    return Status(201, {"status": registration.status})
