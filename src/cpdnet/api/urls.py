"""Version 1 of the JSON API: OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs."""

from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import ValidationError

from .schools import router as schools_router

api = NinjaAPI(
    title="cpdnet API",
    version="1.0.0",
    description=(
        "Schools, hubs and (later) programmes of the maths and science CPD networks. "
        "Errors come as JSON with a `detail` reason."
    ),
    urls_namespace="api-1.0.0",
)


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"detail": str(exc) or "Not found"}, status=404)


@api.exception_handler(ValidationError)
def invalid(request, exc):
    return api.create_response(
        request,
        {"detail": "Some parameters are not valid; see errors.", "errors": exc.errors},
        status=422,
    )


api.add_router("/", schools_router)
