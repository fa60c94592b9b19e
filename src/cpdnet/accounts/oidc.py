"""Sign-in through an OpenID Connect provider (such as DfE Sign-in), when configured.

mozilla-django-oidc runs the code flow; this backend maps the provider's verified email to the
person with that email, creating them on first sign-in as the emailed code does. Imported only
when `settings.OIDC_ENABLED` is true (see settings.py).
"""

from django.conf import settings
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from . import sign_in_policy
from .models import User
from .names import clean_person_name
from .services import SignInError
from .sign_in_policy import Way


class VerifiedEmailBackend(OIDCAuthenticationBackend):
    """Find or create the person by the email the provider has verified, through the sign-in
    policy: its limits before, its audit entry after."""

    def authenticate(self, request, **kwargs):
        if request is None or "code" not in request.GET:
            return None  # another backend's call (a password): not ours
        sign_in_policy.before_attempt(request=request, email=None, way=Way.OIDC)
        user = super().authenticate(request, **kwargs)
        if user is None:
            sign_in_policy.record_failure(request=request, email=None, way=Way.OIDC)
            return None
        try:
            sign_in_policy.allow_sign_in(request=request, user=user, way=Way.OIDC)
        except SignInError:
            return None
        return user

    def verify_claims(self, claims: dict) -> bool:
        email = (claims.get("email") or "").strip()
        if not email or "@" not in email:
            return False
        if getattr(settings, "OIDC_REQUIRE_EMAIL_VERIFIED", True):
            return claims.get("email_verified") in (True, "true", "True")
        return True

    def filter_users_by_claims(self, claims: dict):
        return User.objects.filter(email__iexact=claims["email"].strip())

    def create_user(self, claims: dict) -> User:
        return User.objects.create_user(claims["email"].strip(), full_name=_full_name(claims)[:200])

    def update_user(self, user: User, claims: dict) -> User | None:
        if not user.is_active:
            return None
        if not user.full_name and _full_name(claims):
            user.full_name = _full_name(claims)[:200]
            user.save(update_fields=["full_name"])
        return user

    def get_user(self, user_id):
        user = super().get_user(user_id)
        return user if user is not None and user.is_active else None


def _full_name(claims: dict) -> str:
    name = claims.get("name") or " ".join(
        part for part in (claims.get("given_name"), claims.get("family_name")) if part
    )
    return clean_person_name(str(name))
