"""The one sign-in policy that every way in goes through (docs/security.md).

Ways in: password (the portal's form; the Django admin sends people there), emailed code,
emailed link, OpenID Connect and API tokens. For each:

- limits: wrong secrets are counted per client address and over everyone (rate_limits scope
  `sign_in_failure`); sign-in emails per address, per account and overall;
- lockout: wrong passwords and codes are counted per account in the database; at
  SIGN_IN_MAX_FAILURES within SIGN_IN_LOCKOUT_MINUTES the account is locked for that long, to
  passwords and codes alike. Emailed links and single sign-on still work: they cannot be guessed,
  and otherwise anyone could lock a teacher out by typing wrong passwords;
- staff rule: settings.STAFF_SIGN_IN may require staff to add an emailed code to their password
  (`second_factor`) or to use single sign-on only (`sso`);
- audit: every success, every failure naming an account and every lockout is an AuditEntry.
"""

import datetime
import time

from django.conf import settings
from django.contrib.auth import authenticate, login
from django.db import transaction
from django.db.models import TextChoices
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cpdnet import rate_limits
from cpdnet.audit.services import record

from .backends import password_checks_allowed
from .models import ApiToken, RoleAssignment, SignInLockout, User
from .selectors import get_api_token
from .services import (
    SignInError,
    normalise_email,
    request_sign_in,
    verify_sign_in_code,
    verify_sign_in_link,
)

LOCKOUT_SALT = "cpdnet.accounts.sign-in-lockout"
SESSION_PASSWORD_CHECKED = "accounts:password-checked"  # noqa: S105 (a session key name)
# Set at sign-in for people the staff rule covers: their sessions end when idle (middleware).
SESSION_STAFF = "accounts:staff"
PASSWORD_BACKEND = "cpdnet.accounts.backends.PolicyPasswordBackend"  # noqa: S105 (a path)


class Way(TextChoices):
    PASSWORD = "password", gettext_lazy("password")
    CODE = "code", gettext_lazy("emailed code")
    LINK = "link", gettext_lazy("emailed link")
    OIDC = "oidc", gettext_lazy("single sign-on")
    API_TOKEN = "api_token", gettext_lazy("API token")


# Secrets short enough to guess: the account lockout stops them.
GUESSABLE = frozenset({Way.PASSWORD, Way.CODE})


class SecondFactorRequired(SignInError):
    """The password was right, and this staff account must now type an emailed code too."""


def _digest(email: str) -> str:
    return salted_hmac(LOCKOUT_SALT, normalise_email(email), algorithm="sha256").hexdigest()


def _locked_error(retry_after: int) -> SignInError:
    minutes = max(1, -(-retry_after // 60))
    return SignInError(
        _(
            "There have been too many wrong passwords or codes for this account. Wait "
            "%(minutes)d minutes, or use the link in a sign-in email we send you."
        )
        % {"minutes": minutes},
        code="locked",
        retry_after=retry_after,
    )


def _client(request: HttpRequest | None) -> str:
    return rate_limits.client_address(request) if request is not None else ""


def before_attempt(*, request: HttpRequest | None, email: str | None, way: Way) -> None:
    """Refuse before any secret is checked: the address is over its limit of wrong secrets
    (RateLimited), or the account is locked to guessable secrets (SignInError)."""
    rate_limits.check("sign_in_failure", request=request)
    if email and way in GUESSABLE:
        now = timezone.now()
        lockout = SignInLockout.objects.filter(email_digest=_digest(email)).first()
        if lockout is not None and lockout.is_locked(now):
            raise _locked_error(int((lockout.locked_until - now).total_seconds()) + 1)


def record_failure(*, request: HttpRequest | None, email: str | None, way: Way) -> bool:
    """Count a wrong secret against the address and, for a guessable one, the account; lock the
    account at the limit. Return whether this failure locked it. Call outside any transaction
    that will roll back."""
    locked_now = False
    if email:
        email = normalise_email(email)
        user = User.objects.filter(email__iexact=email).first()
        with transaction.atomic():
            locked_now = way in GUESSABLE and _count_account_failure(email)
            _audit_failure(request=request, email=email, user=user, way=way, locked=locked_now)
    # Counted last: going over the address limit must not lose the account's count above.
    rate_limits.hit("sign_in_failure", request=request)
    return locked_now


def _count_account_failure(email: str) -> bool:
    now = timezone.now()
    window = datetime.timedelta(minutes=settings.SIGN_IN_LOCKOUT_MINUTES)
    lockout, _created = SignInLockout.objects.select_for_update().get_or_create(
        email_digest=_digest(email), defaults={"first_failure_at": now}
    )
    if lockout.first_failure_at <= now - window and not lockout.is_locked(now):
        lockout.failures = 0
        lockout.first_failure_at = now
        lockout.locked_until = None
    lockout.failures += 1
    locked_now = lockout.failures >= settings.SIGN_IN_MAX_FAILURES and not lockout.is_locked(now)
    if locked_now:
        lockout.locked_until = now + window
    lockout.save()
    return locked_now


def _audit_failure(
    *, request: HttpRequest | None, email: str, user: User | None, way: Way, locked: bool
) -> None:
    data = {"way": way.value, "address": _client(request)}
    obj = user or SignInLockout.objects.filter(email_digest=_digest(email)).first()
    if obj is None:  # an unguessable secret for an address with no account: counted, not kept
        return
    who = user.email if user else _("an address with no account")
    record(
        actor=None,
        action="accounts.sign_in.failed",
        obj=obj,
        summary=f"Sign-in failed ({way.label}) for {who}",
        data=data,
    )
    if locked:
        record(
            actor=None,
            action="accounts.sign_in.locked",
            obj=obj,
            summary=f"Sign-in locked for {settings.SIGN_IN_LOCKOUT_MINUTES} minutes for {who}",
            data=data,
        )


def is_staff_for_sign_in(user: User) -> bool:
    """Whether the staff rule (settings.STAFF_SIGN_IN) applies to this person."""
    return (
        user.is_staff
        or user.is_superuser
        or RoleAssignment.objects.filter(user=user, role__in=settings.STAFF_SIGN_IN_ROLES).exists()
    )


def _apply_staff_rule(request: HttpRequest, user: User, way: Way) -> None:
    rule = settings.STAFF_SIGN_IN
    if rule == "any" or way is Way.OIDC or not is_staff_for_sign_in(user):
        return
    if rule == "sso":
        raise SignInError(
            _("Staff accounts sign in with %(provider)s.")
            % {"provider": settings.OIDC_PROVIDER_NAME},
            code="sso_required",
        )
    if way is Way.PASSWORD:
        request.session[SESSION_PASSWORD_CHECKED] = {"email": user.email, "at": time.time()}
        raise SecondFactorRequired(
            _("Your password is right. Now enter the code we have emailed to you."),
            code="second_factor",
        )
    checked = request.session.pop(SESSION_PASSWORD_CHECKED, None) or {}
    fresh = time.time() - checked.get("at", 0) < settings.SIGN_IN_CODE_MINUTES * 60
    if checked.get("email") != user.email or not fresh:
        raise SignInError(
            _(
                "Staff accounts sign in with their password first; we then email a code. "
                "Sign in with your password."
            ),
            code="password_first",
        )


def allow_sign_in(*, request: HttpRequest, user: User, way: Way) -> None:
    """Check the staff rule for a person who has proved who they are, clear their failures and
    record the sign-in. Raise SignInError (or SecondFactorRequired) when not enough."""
    _apply_staff_rule(request, user, way)
    if is_staff_for_sign_in(user):
        # Kept by login(), which keeps an anonymous session's data.
        request.session[SESSION_STAFF] = True
    with transaction.atomic():
        SignInLockout.objects.filter(email_digest=_digest(user.email)).delete()
        record(
            actor=user,
            action="accounts.sign_in.succeeded",
            obj=user,
            summary=f"{user.email} signed in ({way.label})",
            data={"way": way.value, "address": _client(request)},
        )


def finish_sign_in(*, request: HttpRequest, user: User, way: Way) -> None:
    """Let the person in: the staff rule, the audit entry, then the session."""
    allow_sign_in(request=request, user=user, way=way)
    login(request, user, backend=PASSWORD_BACKEND)


# Each way in that checks a secret (OpenID Connect calls the steps above from accounts.oidc).


def send_sign_in_code(*, request: HttpRequest, email: str) -> None:
    """Email a sign-in code and link, within the limits per address, account and overall."""
    email = normalise_email(email)
    rate_limits.hit("sign_in_code_request", request=request, account=email)
    request_sign_in(email=email)


def check_password(*, request: HttpRequest, email: str, password: str) -> User:
    """Return the person with this email and password, or raise SignInError."""
    email = normalise_email(email)
    before_attempt(request=request, email=email, way=Way.PASSWORD)
    with password_checks_allowed():
        user = authenticate(request, username=email, password=password)
    if user is None:
        if record_failure(request=request, email=email, way=Way.PASSWORD):
            raise _locked_error(settings.SIGN_IN_LOCKOUT_MINUTES * 60)
        raise SignInError(_("The email address or password is not right."), code="wrong")
    return user


def check_code(*, request: HttpRequest, email: str, code: str) -> User:
    """Return the person whose emailed code this is, or raise SignInError."""
    before_attempt(request=request, email=email, way=Way.CODE)
    try:
        return verify_sign_in_code(email=email, code=code)
    except SignInError as error:
        if error.is_wrong_secret and record_failure(request=request, email=email, way=Way.CODE):
            raise _locked_error(settings.SIGN_IN_LOCKOUT_MINUTES * 60) from error
        raise


def check_link(*, request: HttpRequest, token: str) -> User:
    """Return the person an emailed link was sent to, or raise SignInError."""
    before_attempt(request=request, email=None, way=Way.LINK)
    try:
        return verify_sign_in_link(token=token)
    except SignInError as error:
        if error.is_wrong_secret:
            record_failure(request=request, email=None, way=Way.LINK)
        raise


def check_api_token(*, request: HttpRequest, token: str) -> ApiToken | None:
    """Return the live API token with this value, or None; bad tokens are counted per address
    in their own scope, so a forgotten integration cannot stop a school's people signing in."""
    rate_limits.check("api_token_failure", request=request)
    api_token = get_api_token(token)
    if api_token is None:
        rate_limits.hit("api_token_failure", request=request)
    return api_token
