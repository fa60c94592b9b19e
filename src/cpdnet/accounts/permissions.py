"""Every view declares who may use it; a test fails for any view that does not."""

from collections.abc import Callable
from enum import StrEnum
from functools import wraps

from django.contrib.admin.views.decorators import staff_member_required


class Access(StrEnum):
    PUBLIC = "public"
    NATIONAL_STAFF = "national_staff"


def declare(access: Access) -> Callable:
    """Mark a view with the access it allows, enforcing it where it needs a signed-in role."""

    def decorator(view: Callable) -> Callable:
        guarded = staff_member_required(view) if access is Access.NATIONAL_STAFF else view

        @wraps(view)
        def wrapper(*args, **kwargs):
            return guarded(*args, **kwargs)

        wrapper.access = access
        return wrapper

    return decorator
