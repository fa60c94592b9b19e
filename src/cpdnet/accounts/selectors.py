"""Reads about people: which roles they hold, scoping every query to what a role may see."""

import hashlib

from cpdnet.privacy.registry import Person, list_personal_data

from .models import ApiToken, Role, RoleAssignment, User


def _ids(user: User, role: str, column: str) -> list:
    if not user.is_authenticated:
        return []
    cache_name = f"_role_ids_{role}_{column}"
    if not hasattr(user, cache_name):
        setattr(
            user,
            cache_name,
            list(
                RoleAssignment.objects.filter(user=user, role=role).values_list(column, flat=True)
            ),
        )
    return getattr(user, cache_name)


def is_national_staff(user: User) -> bool:
    return Role.NATIONAL_STAFF in list_role_names(user)


def list_staffed_hub_ids(user: User) -> list[int]:
    """Hubs whose applications the person may see and decide (hub staff)."""
    return _ids(user, Role.HUB_STAFF, "hub_id")


def list_staffed_provider_ids(user: User) -> list[int]:
    """National providers (centre, network, partner) whose offerings the person runs."""
    return _ids(user, Role.PROVIDER_STAFF, "provider_id")


def staffed_provider_ids_query(user: User):
    """The same as a subquery, to scope a query without a query of its own."""
    return RoleAssignment.objects.filter(
        user_id=user.pk if user.is_authenticated else None, role=Role.PROVIDER_STAFF
    ).values("provider_id")


def list_facilitated_hub_ids(user: User) -> list[int]:
    return _ids(user, Role.FACILITATOR, "hub_id")


def list_approved_school_urns(user: User) -> list[int]:
    """Schools whose staff the person may release (school approver)."""
    return _ids(user, Role.SCHOOL_APPROVER, "school_id")


def list_role_names(user: User) -> frozenset[str]:
    """Every role the person holds (national staff for Django staff too), in one query kept on
    the user for the request: permission checks and the menu share it."""
    if not user.is_authenticated:
        return frozenset()
    if not hasattr(user, "_role_names"):
        names = set(RoleAssignment.objects.filter(user=user).values_list("role", flat=True))
        if user.is_staff:
            names.add(Role.NATIONAL_STAFF)
        user._role_names = frozenset(names)
    return user._role_names


def list_finance_school_urns(user: User) -> list[int]:
    """Schools whose invoices, bank details and statements the person handles."""
    return _ids(user, Role.SCHOOL_FINANCE, "school_id")


def has_role(user: User, role: str) -> bool:
    return role in list_role_names(user)


def get_api_token(token: str) -> ApiToken | None:
    """Return the live, unexpired API token with this value, of an active person, or None."""
    from django.utils import timezone

    from .services import touch_api_token

    if not token:
        return None
    api_token = (
        ApiToken.objects.select_related("user")
        .filter(
            token_hash=hashlib.sha256(token.encode()).hexdigest(),
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
            user__is_active=True,
        )
        .first()
    )
    if api_token is not None:
        touch_api_token(token=api_token)
    return api_token


def get_user_for_token(token: str) -> User | None:
    """Return the active person a live API bearer token belongs to, or None."""
    api_token = get_api_token(token)
    return api_token.user if api_token else None


def list_roles(user: User):
    """The roles a person holds, with their hub or school."""
    return (
        RoleAssignment.objects.filter(user=user)
        .select_related("hub", "school", "provider")
        .order_by("role", "id")
    )


def export_person(user: User) -> dict:
    """Everything the portal holds about a person, for them to download (right of access):
    each app's declared personal data."""
    person = Person.of(user)
    exported: dict = {}
    for declaration in list_personal_data():
        exported.update(declaration.export(person))
    # The person's own details first, as they would look for them.
    return {"person": exported.pop("person"), **exported}
