"""Public endpoint: an offering's sessions, with a calendar file each (never a join link)."""

from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from ninja import Path, Router, Schema
from pydantic import Field

from cpdnet.accounts.permissions import Access
from cpdnet.programmes import selectors as programme_selectors
from cpdnet.programmes.models import Offering, Session

from .programmes import MAX_ID
from .schemas import Error

router = Router(tags=["sessions"])
router.access = Access.PUBLIC
# Written out, so that winter times keep "+00:00" rather than the JSON encoder's "Z".
WITH_OFFSET = "UK time, ISO 8601 with its offset, e.g. 2026-10-23T16:00:00+01:00"


class SessionOut(Schema):
    id: int
    title: str = Field(description="The session's own title; empty for the programme's")
    starts_at: str = Field(description=WITH_OFFSET, json_schema_extra={"format": "date-time"})
    ends_at: str = Field(description=WITH_OFFSET, json_schema_extra={"format": "date-time"})
    mode: str = Field(description="online, face_to_face or blended")
    venue: str
    is_cancelled: bool
    ics_url: str = Field(description="An iCalendar file of the session, for anyone")


def _session(request, session: Session) -> dict:
    return {
        "id": session.pk,
        "title": session.title,
        "starts_at": timezone.localtime(session.starts_at).isoformat(),
        "ends_at": timezone.localtime(session.ends_at).isoformat(),
        "mode": session.mode,
        "venue": session.venue,
        "is_cancelled": session.is_cancelled,
        "ics_url": request.build_absolute_uri(
            reverse("public:session-ics", kwargs={"session_id": session.pk})
        ),
    }


@router.get(
    "/offerings/{offering_id}/sessions",
    response={200: list[SessionOut], 404: Error},
    summary="An offering's sessions, earliest first, cancelled ones included",
)
def list_offering_sessions(request, offering_id: int = Path(..., ge=1, le=MAX_ID)):
    if not Offering.objects.filter(pk=offering_id).exists():
        raise Http404(f"No offering has the id {offering_id}.")
    sessions = programme_selectors.list_offering_sessions(offering_id)
    return [_session(request, session) for session in sessions]
