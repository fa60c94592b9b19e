"""Staff sessions end when idle."""

import time

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login

from .sign_in_policy import SESSION_STAFF

SESSION_LAST_SEEN = "accounts:last-seen"
# Writing the session on every request costs a database write; a minute's precision is enough.
TOUCH_SECONDS = 60


class StaffIdleTimeoutMiddleware:
    """Sign staff out after settings.STAFF_IDLE_MINUTES without a request; they sign in again.

    Staff are the people the staff sign-in rule covers (sign_in_policy.is_staff_for_sign_in,
    noted in the session when they sign in, so no request pays a query for it): their sessions
    open the back office, so a shared or unattended computer must not keep one.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and (user.is_staff or request.session.get(SESSION_STAFF))
        ):
            now = time.time()
            last_seen = request.session.get(SESSION_LAST_SEEN, now)
            if now - last_seen > settings.STAFF_IDLE_MINUTES * 60:
                logout(request)
                return redirect_to_login(request.get_full_path())
            if now - last_seen >= TOUCH_SECONDS or SESSION_LAST_SEEN not in request.session:
                request.session[SESSION_LAST_SEEN] = now
        return self.get_response(request)
