"""Every view declares who may use it; a test fails for any view that does not.

Deny by default: a signed-out visitor is sent to sign in, a signed-in person without the role
sees "403 Forbidden". Object checks (this hub's applications, this teacher's own) are done by
`access_*` selectors, which answer 404 alike for missing and forbidden objects.
"""

from collections.abc import Callable
from enum import StrEnum
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from .models import Role
from .selectors import has_role, is_national_staff


class Access(StrEnum):
    PUBLIC = "public"
    SIGNED_IN = "signed_in"
    SCHOOL_APPROVER = "school_approver"
    FACILITATOR = "facilitator"
    HUB_STAFF = "hub_staff"
    PROVIDER_STAFF = "provider_staff"
    # Pages about offerings, used by hub staff and by a national provider's staff alike; the
    # `access_*` selectors scope each to the person's hubs or providers.
    HUB_OR_PROVIDER_STAFF = "hub_or_provider_staff"
    NATIONAL_STAFF = "national_staff"
    ASSESSOR = "assessor"
    # Marking pages, used by first markers and moderators alike; each assessment is fetched
    # through a selector scoped to its own marker.
    ASSESSOR_OR_MODERATOR = "assessor_or_moderator"
    EVALUATOR = "evaluator"
    FINANCE = "finance"
    SCHOOL_FINANCE = "school_finance"


def allows(access: Access, user) -> bool:
    """Whether a person may use a view declared with this access."""
    if access is Access.PUBLIC:
        return True
    if not user.is_authenticated or not user.is_active:
        return False
    if access is Access.SIGNED_IN:
        return True
    if is_national_staff(user):
        return True
    if access is Access.ASSESSOR_OR_MODERATOR:
        return has_role(user, Role.ASSESSOR) or has_role(user, Role.MODERATOR)
    if access is Access.HUB_OR_PROVIDER_STAFF:
        return has_role(user, Role.HUB_STAFF) or has_role(user, Role.PROVIDER_STAFF)
    return access is not Access.NATIONAL_STAFF and has_role(user, Role(access.value))


def declare(access: Access) -> Callable:
    """Mark a view with the access it allows, and enforce it."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not allows(access, request.user):
                if not request.user.is_authenticated:
                    return redirect_to_login(request.get_full_path())
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapper.access = access
        return wrapper

    return decorator
