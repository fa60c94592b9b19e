"""Answer 503 with Retry-After, not 500, when the database is busy or cannot be reached.

Busy: on SQLite one writer at a time holds the file, and a write that waits longer than the busy
timeout fails with "database is locked"; on PostgreSQL a lock timeout, a deadlock or a
serialization failure ends the transaction the same way. Unreachable: the server is down or the
file cannot be opened. Neither is the person's fault and each goes away if they try again, so
they get a plain page (JSON for the API) that says so. Any other database error (a missing
table, say) stays a 500, so that it is noticed.
"""

import logging
import sys
from dataclasses import dataclass

from django.db import OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _
from django.views import defaults

logger = logging.getLogger(__name__)

# lock_not_available (lock_timeout), deadlock_detected, serialization_failure
POSTGRESQL_BUSY_STATES = {"55P03", "40P01", "40001"}
SQLITE_BUSY = ("database is locked", "database table is locked")
# What the drivers say when the database cannot be reached at all.
UNREACHABLE = (
    "could not connect",
    "connection refused",
    "connection timed out",
    "server closed the connection",
    "timeout expired",
    "unable to open database",
)


@dataclass(frozen=True)
class Unavailable:
    retry_after_seconds: int
    message: str


BUSY = Unavailable(10, "The service is busy. Try again in a few seconds.")
DOWN = Unavailable(60, "The service is unavailable. Try again in a minute.")


def why_unavailable(error: BaseException | None) -> Unavailable | None:
    """Whether an error means the database was busy or unreachable (and so worth a retry)."""
    if not isinstance(error, OperationalError):
        return None
    message = str(error).lower()
    if any(part in message for part in SQLITE_BUSY):
        return BUSY
    if getattr(error.__cause__, "sqlstate", None) in POSTGRESQL_BUSY_STATES:
        return BUSY
    if any(part in message for part in UNREACHABLE):
        return DOWN
    return None


def unavailable_response(request: HttpRequest, why: Unavailable) -> HttpResponse:
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": _(why.message)}, status=503)
    else:
        # Drawn without the request: its context processors would query the database.
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
    response["Retry-After"] = str(why.retry_after_seconds)
    return response


def _answer(request: HttpRequest, error: BaseException | None) -> HttpResponse | None:
    why = why_unavailable(error)
    if why is None:
        return None
    if why is DOWN:
        logger.error("Database unavailable: %s", error, exc_info=error)
    return unavailable_response(request, why)


class DatabaseUnavailableMiddleware:
    """Turn a busy or unreachable database in a view into 503 with Retry-After."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        return _answer(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 handler: a busy or unreachable database met outside a view (saving the
    session, say) is still a 503."""
    return _answer(request, sys.exc_info()[1]) or defaults.server_error(request)
