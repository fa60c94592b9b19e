"""Writes about people: sign-in by emailed code or link, passwords, profile, erasure, API tokens
and roles.

Secrets are never stored: sign-in codes are kept as a keyed SHA-256 HMAC (a 6-digit code would
be guessed from a bare hash of a copied database), links and API tokens as SHA-256 hashes.
"""

import datetime
import hashlib
import hmac
import logging
import secrets
from smtplib import SMTPException

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Sum
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from cpdnet.audit.services import record
from cpdnet.privacy.registry import Person, list_personal_data

from .models import ApiToken, Role, RoleAssignment, SignInCode, User
from .selectors import is_national_staff

logger = logging.getLogger(__name__)

CODE_SALT = "cpdnet.accounts.sign-in-code"
# At most this many codes are sent to one address while a code is valid, so nobody can flood an
# inbox or win fresh guesses by asking again and again.
MAX_CODES_PER_VALIDITY = 5
# Wrong codes for one address in a day, across all its codes, after which no code is accepted
# (the emailed link still works): a day's guesses stay far too few to find a 6-digit code.
DAILY_FAILURES_PER_MAX_FAILURES = 3
TOKEN_TOUCH_INTERVAL = datetime.timedelta(minutes=1)


class SignInError(Exception):
    """A sign-in that cannot go ahead, with a plain reason for the person."""

    def __init__(
        self,
        reason: str,
        *,
        code: str,
        is_wrong_secret: bool = False,
        retry_after: int | None = None,
    ):
        super().__init__(reason)
        self.reason = reason
        self.code = code
        # A guessed secret that was wrong: the sign-in policy counts it against the lockout.
        self.is_wrong_secret = is_wrong_secret
        # Seconds until trying again can work (sent as Retry-After).
        self.retry_after = retry_after


def normalise_email(email: str) -> str:
    return email.strip().lower()


def _code_hash(email: str, code: str) -> str:
    return salted_hmac(CODE_SALT, f"{email}:{code}", algorithm="sha256").hexdigest()


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


# Sign-in by emailed code or link


def request_sign_in(*, email: str) -> None:
    """Email a one-time code and link to an address, whether or not it has an account yet.

    A new code replaces any earlier one. The email is sent here, not by a task, so that the
    code and link never rest in the task queue's table.
    """
    email = normalise_email(email)
    now = timezone.now()
    validity = datetime.timedelta(minutes=settings.SIGN_IN_CODE_MINUTES)
    with transaction.atomic():
        stale = now - datetime.timedelta(days=1)
        SignInCode.objects.filter(email=email, expires_at__lt=stale).delete()
        recent = SignInCode.objects.filter(email=email, created_at__gt=now - validity).count()
        if recent >= MAX_CODES_PER_VALIDITY:
            logger.warning("Sign-in code not sent: too many requests for one address")
            return
        SignInCode.objects.filter(email=email, used_at__isnull=True, expires_at__gt=now).update(
            expires_at=now
        )
        code = f"{secrets.randbelow(10**6):06d}"
        link_token = secrets.token_urlsafe(32)
        SignInCode.objects.create(
            email=email,
            code_hash=_code_hash(email, code),
            link_hash=_sha256(link_token),
            expires_at=now + validity,
        )
    link_url = settings.SITE_URL.rstrip("/") + reverse(
        "accounts:sign-in-link", kwargs={"token": link_token}
    )
    body = render_to_string(
        "accounts/email/sign_in.txt",
        {"code": code, "link_url": link_url, "minutes": settings.SIGN_IN_CODE_MINUTES},
    )
    try:
        send_mail(_("Your sign-in code for cpdnet"), body, settings.DEFAULT_FROM_EMAIL, [email])
    except (SMTPException, OSError):
        # The page says the same either way; the person can ask for another code.
        logger.exception("Could not send a sign-in email")


def _user_for_email(email: str) -> User:
    """Return the person with this email, creating them: they have just proved they own it."""
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User.objects.create_user(email)
    if not user.is_active:
        raise SignInError(
            _("This account has been closed. Contact your hub if you think this is wrong."),
            code="inactive",
        )
    return user


def _refuse_if_unusable(sign_in_code: SignInCode | None, now: datetime.datetime) -> None:
    if sign_in_code is None:
        raise SignInError(
            _("There is no sign-in code for this email address. Ask for a new code."),
            code="missing",
        )
    if sign_in_code.used_at is not None:
        raise SignInError(_("This code has already been used. Ask for a new code."), code="used")
    if sign_in_code.expires_at <= now:
        raise SignInError(_("This code has expired. Ask for a new code."), code="expired")


def _locked_error() -> SignInError:
    return SignInError(
        _("You have entered a wrong code too many times. Ask for a new code."), code="locked"
    )


def _failures_today(email: str, now: datetime.datetime) -> int:
    since = now - datetime.timedelta(days=1)
    codes = SignInCode.objects.filter(email=email, created_at__gt=since)
    return codes.aggregate(total=Sum("failed_attempts"))["total"] or 0


def verify_sign_in_code(*, email: str, code: str) -> User:
    """Return the person whose latest emailed code this is; count a wrong code as a failure."""
    email = normalise_email(email)
    code = "".join(code.split())
    now = timezone.now()
    with transaction.atomic():
        sign_in_code = (
            SignInCode.objects.select_for_update()
            .filter(email=email)
            .order_by("-created_at", "-id")
            .first()
        )
        _refuse_if_unusable(sign_in_code, now)
        if sign_in_code.failed_attempts >= settings.SIGN_IN_MAX_FAILURES:
            raise _locked_error()
        if _failures_today(email, now) >= (
            settings.SIGN_IN_MAX_FAILURES * DAILY_FAILURES_PER_MAX_FAILURES
        ):
            raise SignInError(
                _(
                    "There have been too many wrong codes for this email address today. "
                    "Use the link in the email we sent you, or try again tomorrow."
                ),
                code="locked_today",
            )
        if not hmac.compare_digest(_code_hash(email, code), sign_in_code.code_hash):
            SignInCode.objects.filter(pk=sign_in_code.pk).update(
                failed_attempts=F("failed_attempts") + 1
            )
            failures = sign_in_code.failed_attempts + 1
        else:
            failures = None
            user = _user_for_email(email)
            sign_in_code.used_at = now
            sign_in_code.save(update_fields=["used_at"])
    # Raised outside the transaction so that the failure count is kept.
    if failures is not None:
        if failures >= settings.SIGN_IN_MAX_FAILURES:
            error = _locked_error()
            error.is_wrong_secret = True
            raise error
        raise SignInError(
            _("The code is not right. Check the code in the email we sent you."),
            code="wrong",
            is_wrong_secret=True,
        )
    return user


def verify_sign_in_link(*, token: str) -> User:
    """Return the person an emailed sign-in link was sent to; the link works once."""
    now = timezone.now()
    with transaction.atomic():
        sign_in_code = (
            SignInCode.objects.select_for_update().filter(link_hash=_sha256(token)).first()
        )
        if sign_in_code is None:
            raise SignInError(
                _("This link is not valid. Ask for a new sign-in email."),
                code="missing",
                is_wrong_secret=True,
            )
        if sign_in_code.used_at is not None:
            raise SignInError(
                _("This link has already been used. Ask for a new sign-in email."), code="used"
            )
        if sign_in_code.expires_at <= now:
            raise SignInError(
                _("This link has expired. Ask for a new sign-in email."), code="expired"
            )
        # The link cannot be guessed, so failed code guesses do not lock it.
        user = _user_for_email(sign_in_code.email)
        sign_in_code.used_at = now
        sign_in_code.save(update_fields=["used_at"])
    return user


def delete_expired_sign_in_codes(*, older_than: datetime.timedelta | None = None) -> int:
    """Delete sign-in codes that ran out over a day ago; return how many."""
    cutoff = timezone.now() - (older_than or datetime.timedelta(days=1))
    deleted, _details = SignInCode.objects.filter(expires_at__lt=cutoff).delete()
    return deleted


# Passwords (optional; checked by cpdnet.accounts.sign_in_policy)


def set_password(*, user: User, password: str) -> User:
    """Set a person's password after checking it against the password rules."""
    validate_password(password, user)
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        from cpdnet.notifications.outbox import owe_email

        from .tasks import send_password_set_email_task

        owe_email(send_password_set_email_task, user.pk)
    return user


# Profile and data rights


def update_profile(*, user: User, full_name: str, school, job_role: str) -> User:
    """Change a person's name, school (moving school) and job role."""
    user.full_name = full_name.strip()
    user.school = school
    user.job_role = job_role
    user.save(update_fields=["full_name", "school", "job_role"])
    return user


def erase_person(*, user: User) -> User:
    """Erase a person at their request: every app's declared personal data is erased or
    anonymised in one transaction (docs/privacy.md); the account row stays, anonymised and
    inactive, so the places it held still count."""
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        person = Person.of(user)
        counts: dict[str, int] = {}
        for declaration in list_personal_data():
            counts.update(declaration.erase(person))
        record(
            actor=user,
            action="accounts.person.erased",
            obj=user,
            summary=f"Person {user.pk} erased at their request",
            data=counts,
        )
    return user


# API tokens


def create_api_token(*, user: User, days: int | None = None, read_only: bool = False) -> str:
    """Make a new API bearer token for a person and return it: it is shown only once.

    It expires after `days` (settings.API_TOKEN_DAYS by default); a read-only token is refused
    by every endpoint that writes.
    """
    days = settings.API_TOKEN_DAYS if days is None else days
    if days < 1:
        raise ValueError("A token must last at least one day.")
    token = secrets.token_urlsafe(32)
    ApiToken.objects.create(
        user=user,
        token_hash=_sha256(token),
        prefix=token[:8],
        expires_at=timezone.now() + datetime.timedelta(days=days),
        is_read_only=read_only,
    )
    return token


def revoke_api_tokens(*, user: User) -> int:
    """Revoke every live API token a person has; return how many."""
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


def touch_api_token(*, token: ApiToken) -> None:
    """Note that a token was used, at most once a minute (saves a write per request)."""
    now = timezone.now()
    if token.last_used_at and now - token.last_used_at < TOKEN_TOUCH_INTERVAL:
        return
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.last_used_at = now


# Roles


def _forget_cached_roles(user: User) -> None:
    for name in [name for name in vars(user) if name.startswith("_role_ids_")]:
        delattr(user, name)


def _place_label(hub, school, provider=None) -> str:
    place = hub or school or provider
    return f" for {place}" if place else ""


def assign_role(
    *, user: User, role: str, hub=None, school=None, provider=None, by: User
) -> RoleAssignment:
    """Give a person a role (for a hub, a school or a national provider where the role needs
    one)."""
    if not is_national_staff(by):
        raise PermissionDenied(_("Only national staff can give people roles."))
    role = Role(role)
    with transaction.atomic():
        held = RoleAssignment.objects.filter(
            user=user, role=role, hub=hub, school=school, provider=provider
        )
        existing = held.first()
        if existing is not None:
            return existing
        assignment = RoleAssignment(user=user, role=role, hub=hub, school=school, provider=provider)
        assignment.full_clean()
        assignment.save()
        record(
            actor=by,
            action="accounts.role.assigned",
            obj=assignment,
            hub=hub,
            summary=f"{role.label} given to {user.email}{_place_label(hub, school, provider)}",
            data={**_role_data(user, role, hub, school), "provider": getattr(provider, "pk", None)},
        )
    _forget_cached_roles(user)
    return assignment


def _role_data(user: User, role: Role, hub, school) -> dict:
    return {
        "user": user.pk,
        "role": role.value,
        "hub": hub.pk if hub else None,
        "school": school.pk if school else None,
    }


def remove_role(*, user: User, role: str, hub=None, school=None, provider=None, by: User) -> bool:
    """Take a role away from a person; return whether they held it."""
    if not is_national_staff(by):
        raise PermissionDenied(_("Only national staff can take roles away."))
    role = Role(role)
    with transaction.atomic():
        assignment = (
            RoleAssignment.objects.select_for_update()
            .filter(user=user, role=role, hub=hub, school=school, provider=provider)
            .first()
        )
        if assignment is None:
            return False
        record(
            actor=by,
            action="accounts.role.removed",
            obj=assignment,
            hub=hub,
            summary=f"{role.label} taken from {user.email}{_place_label(hub, school, provider)}",
            data={**_role_data(user, role, hub, school), "provider": getattr(provider, "pk", None)},
        )
        assignment.delete()
    _forget_cached_roles(user)
    return True
