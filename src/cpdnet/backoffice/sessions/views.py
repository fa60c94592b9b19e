"""Planning an offering's sessions, for whoever may run it: its facilitator, staff of its hub
and national staff. Each page is declared for signed-in people and checks the offering with
`access_runnable_offering`, answering 404 alike for a missing offering and someone else's:
`Access.FACILITATOR` would shut out hub staff, who hold no facilitator role."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from cpdnet.accounts.permissions import Access, declare
from cpdnet.programmes import selectors as programme_selectors
from cpdnet.programmes.models import Offering, Session
from cpdnet.programmes.services import (
    SessionError,
    cancel_session,
    create_session,
    update_session,
)

from .forms import CancelSessionForm, SessionForm


def _offering(user, offering_id: int) -> Offering:
    try:
        return programme_selectors.access_runnable_offering(user, offering_id)
    except Offering.DoesNotExist:
        raise Http404("No offering you run has this number") from None


def _session(user, offering_id: int, session_id: int) -> Session:
    try:
        return programme_selectors.access_runnable_session(user, offering_id, session_id)
    except Session.DoesNotExist:
        raise Http404("No session of an offering you run has this number") from None


@declare(Access.SIGNED_IN)
def offering_sessions(request, offering_id: int):
    offering = _offering(request.user, offering_id)
    now = timezone.now()
    sessions = list(programme_selectors.list_offering_sessions(offering.pk))
    for session in sessions:
        session.link_released = programme_selectors.is_join_link_released(session, now)
        session.has_ended = session.ends_at <= now
    cancelled = sum(session.is_cancelled for session in sessions)
    return render(
        request,
        "backoffice/sessions/sessions.html",
        {
            "offering": offering,
            "sessions": sessions,
            "active_count": len(sessions) - cancelled,
            "cancelled_count": cancelled,
        },
    )


@declare(Access.SIGNED_IN)
def session_create(request, offering_id: int):
    offering = _offering(request.user, offering_id)
    form = SessionForm(
        request.POST or None, initial={"mode": offering.mode, "venue": offering.venue}
    )
    if request.method == "POST" and form.is_valid():
        try:
            session = create_session(offering=offering, by=request.user, **form.session_fields())
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request,
                _("Session added on %(day)s.")
                % {"day": f"{timezone.localtime(session.starts_at):%d %B %Y}"},
            )
            return redirect("backoffice:offering-sessions", offering_id=offering.pk)
    return render(
        request,
        "backoffice/sessions/session_form.html",
        {"offering": offering, "form": form, "session": None},
    )


@declare(Access.SIGNED_IN)
def session_edit(request, offering_id: int, session_id: int):
    session = _session(request.user, offering_id, session_id)
    if session.is_cancelled:
        messages.error(request, _("This session was cancelled, so it cannot be changed."))
        return redirect("backoffice:offering-sessions", offering_id=session.offering_id)
    form = SessionForm(request.POST or None, session=session)
    if request.method == "POST" and form.is_valid():
        try:
            update_session(session=session, by=request.user, **form.session_fields())
        except ValidationError as error:
            form.add_service_errors(error)
        except SessionError as error:
            form.add_error(None, error.reason)
        else:
            messages.success(request, _("Session saved. Participants are told of any change."))
            return redirect("backoffice:offering-sessions", offering_id=session.offering_id)
    return render(
        request,
        "backoffice/sessions/session_form.html",
        {"offering": session.offering, "form": form, "session": session},
    )


@declare(Access.SIGNED_IN)
def session_cancel(request, offering_id: int, session_id: int):
    session = _session(request.user, offering_id, session_id)
    form = CancelSessionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            cancel_session(session=session, by=request.user, reason=form.cleaned_data["reason"])
        except SessionError as error:
            messages.error(request, error.reason)
        else:
            messages.success(request, _("Session cancelled. Participants have been told."))
        return redirect("backoffice:offering-sessions", offering_id=session.offering_id)
    return render(
        request,
        "backoffice/sessions/session_cancel.html",
        {"offering": session.offering, "form": form, "session": session},
    )
