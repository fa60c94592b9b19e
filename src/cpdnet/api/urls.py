"""Version 1 of the JSON API: OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs."""

from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError

from cpdnet.rate_limits import RateLimited

from .accreditation import register_router as accreditation_register_router
from .accreditation import router as accreditation_router
from .applications import router as applications_router
from .auth import ReadOnlyToken
from .events import router as events_router
from .funding import router as funding_router
from .insights import router as insights_router
from .programmes import router as programmes_router
from .schools import router as schools_router
from .sessions import router as sessions_router

api = NinjaAPI(
    title="cpdnet API",
    version="1.0.0",
    description=(
        "Schools, hubs, programmes and offerings of the maths and science CPD networks, and "
        "applications for people with a token (`Authorization: Bearer <token>`). "
        "Errors come as JSON with a `detail` reason."
    ),
    urls_namespace="api-1.0.0",
)


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"detail": str(exc) or "Not found"}, status=404)


@api.exception_handler(AuthenticationError)
def unauthenticated(request, exc):
    response = api.create_response(
        request, {"detail": "Send a valid API token: Authorization: Bearer <token>."}, status=401
    )
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(ReadOnlyToken)
def read_only_token(request, exc):
    return api.create_response(
        request,
        {"detail": "This token is read-only, and this endpoint changes data: use a full token."},
        status=403,
    )


@api.exception_handler(RateLimited)
def rate_limited(request, exc):
    response = api.create_response(
        request,
        {
            "detail": f"Too many requests like this from your address; retry after "
            f"{exc.retry_after} seconds.",
            "code": "rate_limited",
        },
        status=429,
    )
    response["Retry-After"] = str(exc.retry_after)
    return response


@api.exception_handler(ValidationError)
def invalid(request, exc):
    return api.create_response(
        request,
        {"detail": "Some parameters are not valid; see errors.", "errors": exc.errors},
        status=422,
    )


api.add_router("/", schools_router)
api.add_router("/", programmes_router)
api.add_router("/", applications_router)
api.add_router("/", insights_router)
api.add_router("/", events_router)
api.add_router("/", sessions_router)
api.add_router("/", funding_router)
api.add_router("/", accreditation_register_router)
api.add_router("/", accreditation_router)
