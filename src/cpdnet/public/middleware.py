"""Answer "service unavailable" (503, with the site's page) when the database cannot be
reached, instead of the generic 500: the person learns to try again shortly."""

import logging

from django.db import OperationalError
from django.http import HttpResponse
from django.template import loader

logger = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 60


# What the drivers say when the database cannot be reached at all (not a bug such as a missing
# table, which stays a 500 so that it is noticed).
UNREACHABLE = (
    "could not connect",
    "connection refused",
    "connection timed out",
    "server closed the connection",
    "timeout expired",
    "unable to open database",
)


def is_database_unreachable(error: BaseException) -> bool:
    message = str(error).lower()
    return isinstance(error, OperationalError) and any(part in message for part in UNREACHABLE)


class ServiceUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not is_database_unreachable(exception):
            return None
        logger.error("Database unavailable: %s", exception, exc_info=exception)
        # Drawn without the request: its context processors would query the database.
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
