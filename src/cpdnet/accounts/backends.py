"""The password backend: Django's own, answering only inside the sign-in policy.

Any other caller of `authenticate()` with a password (the Django admin's own login form was
one) gets no one, so no way in can skip the policy's lockout, limits and audit entry.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.contrib.auth.backends import ModelBackend

_checked_by_policy: ContextVar[bool] = ContextVar("password_checked_by_policy", default=False)


@contextmanager
def password_checks_allowed() -> Iterator[None]:
    """Let PolicyPasswordBackend check passwords in this block (used by the policy only)."""
    token = _checked_by_policy.set(True)
    try:
        yield
    finally:
        _checked_by_policy.reset(token)


class PolicyPasswordBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if not _checked_by_policy.get():
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
