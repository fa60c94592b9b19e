"""Newsletters: subscribe (double opt-in), confirm, choose audiences, unsubscribe.

Every page after the first is reached from a signed link in an email; none needs an account.
"""

from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from cpdnet import rate_limits
from cpdnet.accounts.permissions import Access, declare
from cpdnet.notifications import newsletters

from .forms import PreferencesForm, SubscribeForm


def _chosen(form) -> set[int]:
    """The audiences to show ticked: as sent when the form came back, else as stored."""
    if form.is_bound:
        return {int(value) for value in form.data.getlist("audiences") if value.isdigit()}
    return {audience.pk for audience in form.initial.get("audiences", [])}


def _link_problem(request, error):
    return render(request, "public/newsletters/link_problem.html", {"error": error}, status=404)


@declare(Access.PUBLIC)
@require_http_methods(["GET", "POST"])
def subscribe(request):
    form = SubscribeForm(
        request.POST if request.method == "POST" else None,
        audiences=newsletters.list_active_audiences(),
    )
    if request.method == "POST" and form.is_valid():
        rate_limits.hit("newsletter_sign_up", request=request, account=form.cleaned_data["email"])
        newsletters.request_subscription(
            email=form.cleaned_data["email"], audiences=list(form.cleaned_data["audiences"])
        )
        return render(
            request, "public/newsletters/check_email.html", {"email": form.cleaned_data["email"]}
        )
    return render(
        request, "public/newsletters/subscribe.html", {"form": form, "chosen": _chosen(form)}
    )


@declare(Access.PUBLIC)
@require_http_methods(["GET", "POST"])
def confirm(request, token: str):
    # A GET only shows the button: mail scanners that open links must not subscribe anyone.
    try:
        email, audiences = newsletters.read_confirmation_token(token)
        if request.method != "POST":
            return render(
                request,
                "public/newsletters/confirm.html",
                {"email": email, "audiences": audiences},
            )
        subscriber = newsletters.confirm_subscription(token=token)
    except newsletters.NewsletterError as error:
        return _link_problem(request, error)
    return render(
        request,
        "public/newsletters/confirmed.html",
        {
            "subscriber": subscriber,
            "audiences": subscriber.audiences.all(),
            "preferences_token": newsletters.preferences_token(subscriber),
        },
    )


@declare(Access.PUBLIC)
@require_http_methods(["GET", "POST"])
def preferences(request, token: str):
    try:
        subscriber = newsletters.subscriber_for_preferences_token(token)
    except newsletters.NewsletterError as error:
        return _link_problem(request, error)
    form = PreferencesForm(
        request.POST if request.method == "POST" else None,
        audiences=newsletters.list_active_audiences(),
        initial={"audiences": subscriber.audiences.all()},
    )
    context = {"subscriber": subscriber, "form": form}
    if request.method == "POST" and form.is_valid():
        gone = newsletters.update_preferences(
            subscriber=subscriber, audiences=list(form.cleaned_data["audiences"])
        )
        if gone:
            return render(request, "public/newsletters/unsubscribed.html", {"everything": True})
        context["saved"] = True
    context["chosen"] = _chosen(form)
    return render(request, "public/newsletters/preferences.html", context)


# RFC 8058: mail clients POST "List-Unsubscribe=One-Click" to this URL without any page or
# CSRF token; the signed token in the URL is what authorises it.
@declare(Access.PUBLIC)
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    try:
        subscriber, audience = newsletters.read_unsubscribe_token(token)
    except newsletters.NewsletterError as error:
        return _link_problem(request, error)
    if request.method != "POST":
        return render(
            request,
            "public/newsletters/unsubscribe.html",
            {"subscriber": subscriber, "audience": audience},
        )
    gone = newsletters.unsubscribe(subscriber=subscriber, audience=audience)
    return render(
        request,
        "public/newsletters/unsubscribed.html",
        {
            "audience": audience,
            "everything": gone,
            "preferences_token": None if gone else newsletters.preferences_token(subscriber),
        },
    )
