"""The PG Cert export for the university partner, streamed so a large year never sits in
memory; the view that serves it checks the person is national staff."""

from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from django.utils import timezone

from .models import Candidacy
from .selectors import pg_cert_csv_lines


def pg_cert_csv_response(candidacies: QuerySet[Candidacy]) -> StreamingHttpResponse:
    response = StreamingHttpResponse(pg_cert_csv_lines(candidacies), content_type="text/csv")
    name = f"pg-cert-candidates-{timezone.localdate():%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response
