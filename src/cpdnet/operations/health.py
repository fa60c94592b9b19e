"""Probes for the proxy and the process supervisor.

`/healthz` says only that the process answers (no database: a database outage must not make
every web server look dead and be restarted). `/readyz` says whether this process can do its
work: the database, the shared cache and the task queue answer; 503 names the part that failed.
"""

import logging
import secrets

from django.core.cache import cache
from django.db import connections
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends

from cpdnet.accounts.permissions import Access, declare

logger = logging.getLogger(__name__)


def _database() -> None:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT 1")


def _cache() -> None:
    token = secrets.token_hex(8)
    cache.set("cpdnet:readyz", token, timeout=10)
    if cache.get("cpdnet:readyz") != token:
        raise RuntimeError("the cache did not keep a value")


def _task_queue() -> None:
    from django_tasks_db.backend import DatabaseBackend

    if isinstance(task_backends[DEFAULT_TASK_BACKEND_ALIAS], DatabaseBackend):
        from django_tasks_db.models import DBTaskResult

        # Reads the queue table the workers take tasks from (an index-only probe).
        DBTaskResult.objects.ready().exists()


CHECKS = {"database": _database, "cache": _cache, "task_queue": _task_queue}


@declare(Access.PUBLIC)
@never_cache
def healthz(request):
    return JsonResponse({"status": "ok"})


@declare(Access.PUBLIC)
@never_cache
def readyz(request):
    results = {}
    for name, check in CHECKS.items():
        try:
            check()
        except Exception:
            # Details go to the log, not to whoever asks: the answer names only the part.
            logger.exception("Readiness check failed: %s", name)
            results[name] = "failed"
        else:
            results[name] = "ok"
    ready = all(result == "ok" for result in results.values())
    return JsonResponse(
        {"status": "ready" if ready else "not ready", "checks": results},
        status=200 if ready else 503,
    )
