"""/healthz answers without the database; /readyz checks the database, cache and task queue."""

import pytest
from django.db import OperationalError, connections
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db


def test_healthz_answers_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_is_ready_when_database_cache_and_queue_answer(client, settings):
    settings.TASKS = {
        "default": {"BACKEND": "cpdnet.operations.request_ids.RequestTracingDatabaseBackend"}
    }

    with CaptureQueriesContext(connections["default"]) as queries:
        response = client.get("/readyz")

    assert any("django_tasks_database_dbtaskresult" in q["sql"] for q in queries)
    assert response.status_code == 200
    assert response.json() == {
        "status": "ready",
        "checks": {"database": "ok", "cache": "ok", "task_queue": "ok"},
    }


def test_readyz_names_the_cache_when_the_cache_does_not_answer(client, settings):
    # Given a Redis cache on a port nothing listens on
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json() == {
        "status": "not ready",
        "checks": {"database": "ok", "cache": "failed", "task_queue": "ok"},
    }


def test_readyz_names_the_database_when_it_does_not_answer(client, monkeypatch):
    def unreachable(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connections["default"], "cursor", unreachable)

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "failed"
    assert response.json()["checks"]["cache"] == "ok"
