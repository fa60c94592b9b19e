"""Sign in and out, and the person's own account: details, password, their data, erasure."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from . import sign_in_policy
from .forms import CodeForm, EmailForm, PasswordSignInForm, ProfileForm, SetPasswordForm
from .permissions import Access, declare
from .selectors import export_person, list_roles
from .services import SignInError, erase_person, set_password, update_profile
from .sign_in_policy import SecondFactorRequired, Way

SESSION_EMAIL = "accounts:sign-in-email"
SESSION_NEXT = "accounts:sign-in-next"


def _safe_next(request, url: str | None) -> str | None:
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return None


def _remember_next(request) -> None:
    """Keep a safe `next` address from the query string for after sign-in."""
    if "next" in request.GET:
        next_url = _safe_next(request, request.GET["next"])
        if next_url:
            request.session[SESSION_NEXT] = next_url
        else:
            request.session.pop(SESSION_NEXT, None)


def _sign_in_context(request, **context) -> dict:
    return {
        "oidc_enabled": settings.OIDC_ENABLED,
        "oidc_provider_name": getattr(settings, "OIDC_PROVIDER_NAME", ""),
        "next": request.session.get(SESSION_NEXT, ""),
        **context,
    }


def _finish_sign_in(request, user, way: Way):
    """Sign the person in through the policy; raise SignInError when it refuses."""
    next_url = _safe_next(request, request.session.get(SESSION_NEXT))
    sign_in_policy.finish_sign_in(request=request, user=user, way=way)
    for key in (SESSION_NEXT, SESSION_EMAIL):
        request.session.pop(key, None)
    return redirect(next_url or settings.LOGIN_REDIRECT_URL)


def _refused(request, template: str, context: dict, error: SignInError):
    """Show the form again with the reason; 429 with Retry-After for a lockout."""
    response = render(request, template, context, status=429 if error.retry_after else 200)
    if error.retry_after:
        response["Retry-After"] = str(error.retry_after)
    return response


@declare(Access.PUBLIC)
@never_cache
def sign_in(request):
    _remember_next(request)
    if request.method == "POST":
        form = EmailForm(request.POST)
        if form.is_valid():
            email = form.cleaned_data["email"].strip().lower()
            sign_in_policy.send_sign_in_code(request=request, email=email)
            request.session[SESSION_EMAIL] = email
            return redirect("accounts:sign-in-code")
    else:
        form = EmailForm(initial={"email": request.session.get(SESSION_EMAIL, "")})
    context = _sign_in_context(request, form=form, failed=request.GET.get("failed") == "oidc")
    return render(request, "accounts/sign_in.html", context)


@declare(Access.PUBLIC)
@never_cache
def sign_in_code(request):
    email = request.session.get(SESSION_EMAIL)
    if not email:
        return redirect("accounts:sign-in")
    form = CodeForm(request.POST or None)
    context = {"form": form, "email": email, "minutes": settings.SIGN_IN_CODE_MINUTES}
    if request.method == "POST" and form.is_valid():
        try:
            user = sign_in_policy.check_code(
                request=request, email=email, code=form.cleaned_data["code"]
            )
            return _finish_sign_in(request, user, Way.CODE)
        except SignInError as error:
            form.add_error("code", error.reason)
            return _refused(request, "accounts/sign_in_code.html", context, error)
    return render(request, "accounts/sign_in_code.html", context)


@declare(Access.PUBLIC)
@never_cache
def sign_in_link(request, token: str):
    # A GET only shows a button: mail scanners that open links must not use up the link.
    if request.method == "POST":
        try:
            user = sign_in_policy.check_link(request=request, token=token)
            return _finish_sign_in(request, user, Way.LINK)
        except SignInError as error:
            return render(request, "accounts/sign_in_link_problem.html", {"reason": error.reason})
    return render(request, "accounts/sign_in_link.html")


@declare(Access.PUBLIC)
@never_cache
def sign_in_password(request):
    _remember_next(request)
    form = PasswordSignInForm(request.POST or None)
    context = _sign_in_context(request, form=form)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"].strip().lower()
        try:
            user = sign_in_policy.check_password(
                request=request, email=email, password=form.cleaned_data["password"]
            )
            return _finish_sign_in(request, user, Way.PASSWORD)
        except SecondFactorRequired as needed:
            sign_in_policy.send_sign_in_code(request=request, email=email)
            request.session[SESSION_EMAIL] = email
            messages.info(request, needed.reason)
            return redirect("accounts:sign-in-code")
        except SignInError as error:
            form.add_error(None, error.reason)
            return _refused(request, "accounts/sign_in_password.html", context, error)
    return render(request, "accounts/sign_in_password.html", context)


@declare(Access.PUBLIC)
@never_cache
def admin_sign_in(request):
    """The Django admin's sign-in page: the portal's, so the admin has no way in of its own."""
    if request.user.is_authenticated:
        if request.user.is_active and request.user.is_staff:
            return redirect(_safe_next(request, request.GET.get("next")) or "admin:index")
        raise PermissionDenied
    return redirect_to_login(request.GET.get("next") or reverse("admin:index"))


def _oidc_view(name: str):
    if not settings.OIDC_ENABLED:
        raise Http404("Sign-in with an identity provider is not set up here")
    from mozilla_django_oidc import views as oidc_views

    return getattr(oidc_views, name).as_view()


@declare(Access.PUBLIC)
@never_cache
def oidc_start(request):
    return _oidc_view("OIDCAuthenticationRequestView")(request)


@declare(Access.PUBLIC)
@never_cache
def oidc_callback(request):
    return _oidc_view("OIDCAuthenticationCallbackView")(request)


@declare(Access.PUBLIC)
@never_cache
def sign_out(request):
    if request.method == "POST":
        logout(request)
        return render(request, "accounts/signed_out.html")
    return render(request, "accounts/sign_out.html")


@declare(Access.SIGNED_IN)
@never_cache
def account(request):
    user = request.user
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if form.is_valid():
            update_profile(
                user=user,
                full_name=form.cleaned_data["full_name"],
                school=form.cleaned_data["school_urn"],
                job_role=form.cleaned_data["job_role"],
            )
            messages.success(request, _("Your details have been saved."))
            return redirect("accounts:account")
    else:
        form = ProfileForm(
            initial={
                "full_name": user.full_name,
                "school_urn": user.school_id or "",
                "job_role": user.job_role,
            }
        )
    context = {"form": form, "roles": list_roles(user), "school": user.school}
    return render(request, "accounts/account.html", context)


@declare(Access.SIGNED_IN)
@never_cache
def account_password(request):
    form = SetPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            set_password(user=request.user, password=form.cleaned_data["password"])
        except ValidationError as error:
            form.add_error("password", error)
        else:
            update_session_auth_hash(request, request.user)
            messages.success(request, _("Your password has been set. You can now sign in with it."))
            return redirect("accounts:account")
    return render(request, "accounts/account_password.html", {"form": form})


@declare(Access.SIGNED_IN)
@never_cache
def account_data(request) -> HttpResponse:
    response = JsonResponse(export_person(request.user), json_dumps_params={"indent": 2})
    filename = f"cpdnet-your-data-{timezone.localdate():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@declare(Access.SIGNED_IN)
@never_cache
def account_delete(request):
    if request.method == "POST":
        erase_person(user=request.user)
        logout(request)
        return render(request, "accounts/account_deleted.html")
    return render(request, "accounts/account_delete.html")
