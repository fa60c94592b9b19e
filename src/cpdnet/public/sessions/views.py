"""A participant's sessions, one session's page with its join link in the release window,
`.ics` downloads and the private calendar feed."""

import datetime

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from cpdnet.accounts.permissions import Access, declare
from cpdnet.programmes import calendar
from cpdnet.programmes import selectors as programme_selectors
from cpdnet.programmes.models import Mode, Session
from cpdnet.programmes.services import create_calendar_feed, revoke_calendar_feed

SESSIONS_PER_PAGE = 20
# How far back a feed goes: calendars keep what they have; older events only add weight.
FEED_DAYS_BACK = 400
# A feed token is 43 characters; anything much longer is not one of ours.
MAX_TOKEN_LENGTH = 100


def _ics_response(content: bytes, *, filename: str = "") -> HttpResponse:
    response = HttpResponse(content, content_type=calendar.CONTENT_TYPE)
    if filename:
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@declare(Access.SIGNED_IN)
def my_sessions(request):
    now = timezone.now()
    past = request.GET.get("show") == "past"
    sessions = programme_selectors.list_participant_sessions(request.user)
    if past:
        sessions = sessions.filter(ends_at__lte=now).order_by("-starts_at", "-id")
    else:
        sessions = sessions.filter(ends_at__gt=now).order_by("starts_at", "id")
    page = Paginator(sessions, SESSIONS_PER_PAGE).get_page(request.GET.get("page"))
    for session in page.object_list:
        session.link_released = bool(
            session.join_url
        ) and programme_selectors.is_join_link_released(session, now)
    return render(
        request,
        "public/sessions/my_sessions.html",
        {"page": page, "sessions": page.object_list, "past": past},
    )


def _participant_session(user, session_id: int) -> Session:
    try:
        return programme_selectors.access_participant_session(user, session_id)
    except Session.DoesNotExist:
        raise Http404("You have no session with this number") from None


@declare(Access.SIGNED_IN)
@never_cache
def session_detail(request, session_id: int):
    session = _participant_session(request.user, session_id)
    now = timezone.now()
    return render(
        request,
        "public/sessions/session.html",
        {
            "session": session,
            "offering": session.offering,
            "link_released": programme_selectors.is_join_link_released(session, now),
            "link_opens_at": programme_selectors.join_link_opens_at(session),
            "recording_available": programme_selectors.is_recording_available(session, now),
            "has_ended": session.ends_at <= now,
            "online": session.mode != Mode.FACE_TO_FACE,
        },
    )


@declare(Access.PUBLIC)
def session_ics(request, session_id: int):
    try:
        session = programme_selectors.get_session(session_id)
    except Session.DoesNotExist:
        raise Http404("No session has this number") from None
    return _ics_response(calendar.build_calendar([session]), filename=f"session-{session.pk}.ics")


@declare(Access.PUBLIC)
def calendar_feed(request, token: str):
    user = (
        programme_selectors.get_calendar_feed_owner(token)
        if len(token) <= MAX_TOKEN_LENGTH
        else None
    )
    if user is None:
        raise Http404("This calendar address is not in use")
    since = timezone.now() - datetime.timedelta(days=FEED_DAYS_BACK)
    sessions = programme_selectors.list_participant_sessions(user).filter(starts_at__gte=since)
    response = _ics_response(
        calendar.build_calendar(sessions.order_by("starts_at", "id"), name=_("cpdnet sessions"))
    )
    response["Cache-Control"] = "private, max-age=300"
    return response


def _feed_url(token: str) -> str:
    return settings.SITE_URL + reverse("public:calendar-feed", kwargs={"token": token})


@declare(Access.SIGNED_IN)
@never_cache
def calendar_settings(request):
    feed = programme_selectors.get_calendar_feed(request.user)
    feed_url = ""
    if request.method == "POST":
        # Shown once, in this answer only: the address is stored hashed.
        feed_url = _feed_url(create_calendar_feed(user=request.user))
        feed = programme_selectors.get_calendar_feed(request.user)
    return render(
        request,
        "public/sessions/calendar.html",
        {"feed": feed, "feed_url": feed_url},
    )


@declare(Access.SIGNED_IN)
@require_POST
def calendar_stop(request):
    if revoke_calendar_feed(user=request.user):
        messages.success(request, _("Your calendar address no longer works."))
    return redirect("public:calendar")
