"""Webinars and events: open registration without an account, and the emailed link that shows
and cancels a registration."""

import contextlib

from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from cpdnet import rate_limits
from cpdnet.accounts.permissions import Access, declare
from cpdnet.delivery.models import Resource
from cpdnet.delivery.uploads import file_response
from cpdnet.events import selectors, services
from cpdnet.events.models import RegistrationStatus
from cpdnet.programmes.models import Offering
from cpdnet.programmes.selectors import is_join_link_released, is_recording_available

from .forms import RegistrationForm


def _webinar_or_404(offering_id: int) -> Offering:
    try:
        return selectors.get_webinar(offering_id)
    except Offering.DoesNotExist:
        raise Http404("No webinar has this number") from None


@declare(Access.PUBLIC)
@require_http_methods(["GET", "POST"])
def register(request, offering_id: int):
    offering = _webinar_or_404(offering_id)
    context = {"offering": offering, "programme": offering.programme}
    try:
        services.check_open_for_registration(offering)
    except services.RegistrationError as error:
        return render(request, "public/events/closed.html", {**context, "error": error})
    initial = {}
    if request.user.is_authenticated:
        user = request.user
        initial = {
            "name": user.full_name,
            "email": user.email,
            "job_role": user.job_role,
            "urn": user.school_id,
        }
    form = RegistrationForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        open_to=offering.open_to_kinds,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        rate_limits.hit("event_registration", request=request, account=data["email"])
        try:
            registration = services.register(
                offering=offering,
                name=data["name"],
                email=data["email"],
                job_role=data["job_role"],
                school=data["urn"],
                organisation_kind=data["organisation_kind"],
                organisation_name=data["organisation_name"],
            )
        except services.AlreadyRegistered as error:
            form.add_error("email", error.reason)
        except services.RegistrationError as error:
            form.add_error(None, error.reason)
        else:
            return render(
                request,
                "public/events/registered.html",
                {**context, "registration": registration},
            )
    # Counted only for the form: a successful registration (the burst's hot path) needs no count.
    offering.places_left = selectors.count_places_left(offering)
    return render(request, "public/events/register.html", {**context, "form": form})


@declare(Access.PUBLIC)
@require_http_methods(["GET", "POST"])
def registration(request, token: str):
    try:
        registration = services.registration_for_token(token)
    except services.RegistrationError as error:
        return render(request, "public/events/link_problem.html", {"error": error}, status=404)
    if request.method == "POST" and registration.status != RegistrationStatus.CANCELLED:
        # Cancelled meanwhile in another tab: the page it goes back to says so.
        with contextlib.suppress(services.RegistrationError):
            services.cancel_registration(registration=registration)
        return redirect("public:event-registration", token=token)
    return render(
        request,
        "public/events/registration.html",
        {
            "registration": registration,
            "offering": registration.offering,
            "sessions": _sessions(registration),
            "slides": (
                selectors.list_slides(registration.offering)
                if registration.status == RegistrationStatus.CONFIRMED
                else []
            ),
            "download_token": token,
        },
    )


@declare(Access.PUBLIC)
def slides_download(request, token: str, resource_id: int):
    """A webinar's slides for a confirmed registrant, who has no account: the signed link in
    their emails is their key."""
    try:
        registration = services.registration_for_token(token)
    except services.RegistrationError:
        raise Http404("This link is not valid") from None
    if registration.status != RegistrationStatus.CONFIRMED:
        raise Http404("Slides are for confirmed registrants")
    try:
        resource = selectors.list_slides(registration.offering).get(pk=resource_id)
    except Resource.DoesNotExist:
        raise Http404("This webinar has no such slides") from None
    return file_response(resource.content)


def _sessions(registration) -> list[dict]:
    """The webinar's sessions; the join link and recording only for a confirmed place, and only
    when the sessions' own rules release them."""
    confirmed = registration.status == RegistrationStatus.CONFIRMED
    return [
        {
            "session": session,
            "join_url": (
                session.join_url
                if confirmed and session.join_url and is_join_link_released(session)
                else ""
            ),
            "recording_url": (
                session.recording_url if confirmed and is_recording_available(session) else ""
            ),
        }
        for session in registration.offering.sessions.all()
    ]
