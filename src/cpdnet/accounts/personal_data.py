"""Personal data held by the accounts app: the account itself, roles, API tokens, sign-in
codes and browser sessions."""

from importlib import import_module

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.utils import timezone

from cpdnet.privacy.registry import Person, PersonalData, RetentionRun, register

from .models import ApiToken, SignInCode, SignInLockout
from .selectors import list_roles
from .sign_in_policy import _digest as lockout_digest


def _iso(value) -> str | None:
    return value.isoformat() if value else None


@register
class Account(PersonalData):
    key = "accounts.account"
    label = "The account: email, name, school and job role"
    fields = ("accounts.User.email", "accounts.User.full_name", "accounts.User.school")
    kept_anonymised = (
        "The account row, inactive, with its job role and no way to sign in, so the places it "
        "held still count."
    )
    # Last: the other apps find the person by this email and name.
    erase_order = 100

    def export(self, person: Person) -> dict:
        user = person.user
        return {
            "person": {
                "id": user.pk,
                "email": user.email,
                "full_name": user.full_name,
                "school": (
                    {"urn": user.school.urn, "name": user.school.name} if user.school_id else None
                ),
                "job_role": user.job_role,
                "job_role_label": user.get_job_role_display() if user.job_role else "",
                "has_password": user.has_usable_password(),
                "is_active": user.is_active,
                "national_staff_back_office": user.is_staff,
                "created_at": _iso(user.created_at),
                "last_sign_in_at": _iso(user.last_login),
            }
        }

    def erase(self, person: Person) -> dict[str, int]:
        user = person.user
        user.email = f"erased-{user.pk}@invalid"
        user.full_name = ""
        user.school = None
        user.is_active = False
        user.is_staff = False
        user.is_superuser = False
        user.last_login = None
        user.set_unusable_password()
        user.save()
        user.groups.clear()
        user.user_permissions.clear()
        return {}


@register
class Roles(PersonalData):
    key = "accounts.roles"
    label = "Roles held (hub staff, approver, facilitator and others)"
    fields = ("accounts.RoleAssignment.user",)
    erase_order = 20

    def export(self, person: Person) -> dict:
        return {
            "roles": [
                {
                    "role": assignment.role,
                    "role_label": assignment.get_role_display(),
                    "hub": assignment.hub.name if assignment.hub_id else None,
                    "school": (
                        {"urn": assignment.school.urn, "name": assignment.school.name}
                        if assignment.school_id
                        else None
                    ),
                    "since": _iso(assignment.created_at),
                }
                for assignment in list_roles(person.user)
            ]
        }

    def erase(self, person: Person) -> dict[str, int]:
        removed, _details = person.user.roles.all().delete()
        return {"roles_removed": removed}


@register
class SignIn(PersonalData):
    key = "accounts.sign_in"
    label = "Sign-in codes, API tokens and counts of wrong passwords or codes"
    fields = (
        "accounts.SignInCode.email",
        "accounts.ApiToken.user",
        # A keyed hash of the address, so it can be found only from the address.
        "accounts.SignInLockout.email_digest",
    )
    # Codes are deleted a day after they expire by their own daily task
    # (accounts.tasks.delete_expired_sign_in_codes_task); tokens last until revoked or erased.
    erase_order = 20

    def export(self, person: Person) -> dict:
        return {
            "api_tokens": [
                {
                    "prefix": token.prefix,
                    "created_at": _iso(token.created_at),
                    "last_used_at": _iso(token.last_used_at),
                    "revoked_at": _iso(token.revoked_at),
                }
                for token in ApiToken.objects.filter(user=person.user).order_by("created_at", "id")
            ],
            "sign_in_requests": [
                {"sent_at": _iso(code.created_at), "used_at": _iso(code.used_at)}
                for code in SignInCode.objects.filter(email__iexact=person.email).order_by(
                    "created_at", "id"
                )
            ],
        }

    def erase(self, person: Person) -> dict[str, int]:
        codes, _details = SignInCode.objects.filter(email__iexact=person.email).delete()
        tokens, _details = ApiToken.objects.filter(user=person.user).delete()
        lockouts, _details = SignInLockout.objects.filter(
            email_digest=lockout_digest(person.email)
        ).delete()
        return {
            "sign_in_codes_deleted": codes,
            "api_tokens_deleted": tokens,
            "sign_in_lockouts_deleted": lockouts,
        }


def _session_model():
    """The table sessions are kept in, or None for an engine without one (the cache)."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    return store.get_model_class() if hasattr(store, "get_model_class") else None


@register
class BrowserSessions(PersonalData):
    key = "accounts.sessions"
    label = "Browser sessions (who is signed in, the address being signed in)"
    fields = ("sessions.Session.session_data",)
    retention_period = "sessions"
    erase_order = 20

    def erase(self, person: Person) -> dict[str, int]:
        # An unusable password already ends every session on its next request (Django checks
        # the password hash); deleting them also removes what they hold.
        model = _session_model()
        if model is None:
            return {}
        store = import_module(settings.SESSION_ENGINE).SessionStore()
        live = model.objects.filter(expire_date__gt=timezone.now())
        theirs = [
            key
            for key, data in live.values_list("session_key", "session_data").iterator(
                chunk_size=2000
            )
            if _belongs_to(store.decode(data), person)
        ]
        deleted, _details = model.objects.filter(session_key__in=theirs).delete()
        return {"sessions_deleted": deleted}

    def apply_retention(self, run: RetentionRun) -> int:
        model = _session_model()
        if model is None:  # the cache expires its own sessions
            return 0
        expired = model.objects.filter(expire_date__lt=run.cutoff("sessions"))
        return run.in_batches(expired, lambda batch: batch.delete())


def _belongs_to(data: dict, person: Person) -> bool:
    if data.get(SESSION_KEY) == str(person.user.pk):
        return True
    return any(isinstance(value, str) and value.lower() == person.email for value in data.values())
