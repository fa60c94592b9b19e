"""Prometheus metrics at `/metrics`, for the internal network or a bearer token only.

Requests and latency per view come from django-prometheus's middleware. The task queue and
sign-in lockouts are read from the database at scrape time, so every web server reports the
same fleet-wide figures however many workers and machines there are. Under gunicorn each worker
process writes its counters to PROMETHEUS_MULTIPROC_DIR and a scrape adds them up
(prometheus-client's multiprocess mode; see deploy/gunicorn.conf.py).
"""

import ipaddress
import os
import secrets

from django.conf import settings
from django.db.models import Min
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.multiprocess import MultiProcessCollector

from cpdnet.accounts.permissions import Access, declare
from cpdnet.rate_limits import client_address


class FleetCollector:
    """Figures kept in the database: the same whichever process is scraped."""

    def collect(self):
        from django_tasks_db.models import DBTaskResult

        from cpdnet.accounts.models import SignInCode

        now = timezone.now()
        ready = DBTaskResult.objects.ready()
        queued = ready.aggregate(oldest=Min("enqueued_at"))["oldest"]
        depth = GaugeMetricFamily(
            "cpdnet_task_queue_depth", "Tasks waiting to run now in the database queue."
        )
        depth.add_metric([], ready.count())
        yield depth
        age = GaugeMetricFamily(
            "cpdnet_task_queue_oldest_age_seconds",
            "Seconds the oldest task waiting to run has waited (0 when none waits).",
        )
        age.add_metric([], (now - queued).total_seconds() if queued else 0.0)
        yield age
        failed = GaugeMetricFamily(
            "cpdnet_tasks_failed",
            "Tasks that failed, as recorded in the queue table (until it is pruned).",
        )
        failed.add_metric([], DBTaskResult.objects.failed().count())
        yield failed
        locked = GaugeMetricFamily(
            "cpdnet_sign_in_lockouts",
            "Unexpired sign-in codes locked by too many wrong guesses.",
        )
        locked.add_metric(
            [],
            SignInCode.objects.filter(
                failed_attempts__gte=settings.SIGN_IN_MAX_FAILURES,
                expires_at__gt=now,
                used_at__isnull=True,
            ).count(),
        )
        yield locked


class _Scrape:
    def __init__(self, *collectors):
        self.collectors = collectors

    def collect(self):
        for collector in self.collectors:
            yield from collector.collect()


def _process_metrics():
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
        return registry
    return REGISTRY


def _from_allowed_network(request) -> bool:
    try:
        address = ipaddress.ip_address(client_address(request))
    except ValueError:
        return False
    return any(
        address in ipaddress.ip_network(allowed, strict=False)
        for allowed in settings.METRICS_ALLOWED_IPS
    )


def _has_token(request) -> bool:
    expected = settings.METRICS_TOKEN
    given = request.headers.get("Authorization", "")
    return bool(expected) and secrets.compare_digest(given, f"Bearer {expected}")


def may_read_metrics(request) -> bool:
    """Whether this request may read the metrics: fails closed when neither way is set."""
    return _has_token(request) or _from_allowed_network(request)


@declare(Access.PUBLIC)  # checked below against the internal network or the token
@never_cache
def metrics(request):
    if not may_read_metrics(request):
        raise Http404
    output = generate_latest(_Scrape(_process_metrics(), FleetCollector()))
    return HttpResponse(output, content_type=CONTENT_TYPE_LATEST)
