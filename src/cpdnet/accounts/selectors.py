"""Reads about people: which roles they hold, scoping every query to what a role may see."""

from .models import Role, RoleAssignment, User


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
    return user.is_authenticated and (
        user.is_staff or bool(_ids(user, Role.NATIONAL_STAFF, "role"))
    )


def list_staffed_hub_ids(user: User) -> list[int]:
    """Hubs whose applications the person may see and decide (hub staff)."""
    return _ids(user, Role.HUB_STAFF, "hub_id")


def list_facilitated_hub_ids(user: User) -> list[int]:
    return _ids(user, Role.FACILITATOR, "hub_id")


def list_approved_school_urns(user: User) -> list[int]:
    """Schools whose staff the person may release (school approver)."""
    return _ids(user, Role.SCHOOL_APPROVER, "school_id")


def has_role(user: User, role: str) -> bool:
    if role == Role.NATIONAL_STAFF:
        return is_national_staff(user)
    return bool(_ids(user, role, "role"))
