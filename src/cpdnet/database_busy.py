"""Answer "the database is busy" with 503 and Retry-After instead of a 500.

On SQLite one writer at a time holds the file: a write that waits longer than the busy timeout
fails with "database is locked". On PostgreSQL a lock timeout, a deadlock or a serialization
failure ends the transaction the same way. None is the person's fault and each goes away if
they try again a moment later, so they get a plain page (JSON for the API) that says so.
"""

import sys

from django.db import OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _
from django.views import defaults

RETRY_AFTER_SECONDS = 10
# lock_not_available (lock_timeout), deadlock_detected, serialization_failure
POSTGRESQL_BUSY_STATES = {"55P03", "40P01", "40001"}


def is_database_busy(error: BaseException | None) -> bool:
    """Whether an error means the database was too busy, not that anything is wrong."""
    if not isinstance(error, OperationalError):
        return False
    if "database is locked" in str(error) or "database table is locked" in str(error):
        return True
    return getattr(error.__cause__, "sqlstate", None) in POSTGRESQL_BUSY_STATES


def database_busy_response(request: HttpRequest) -> HttpResponse:
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {"detail": _("The service is busy. Try again in a few seconds.")}, status=503
        )
    else:
        # Drawn without the request: its context processors would query the database.
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class DatabaseBusyMiddleware:
    """Turn a busy database in a view into 503 with Retry-After."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if is_database_busy(exception):
            return database_busy_response(request)
        return None


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 handler: a busy database met outside a view (saving the session, say) is
    still a 503."""
    if is_database_busy(sys.exc_info()[1]):
        return database_busy_response(request)
    return defaults.server_error(request)
