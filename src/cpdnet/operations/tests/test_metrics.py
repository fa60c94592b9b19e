"""/metrics: only the internal network or the bearer token, fail closed, and the figures."""

import datetime

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from cpdnet.accounts.models import SignInCode
from cpdnet.notifications.tasks import send_newsletter_batch_task

pytestmark = pytest.mark.django_db


def test_metrics_answer_nobody_when_neither_network_nor_token_is_set(client, settings):
    settings.METRICS_ALLOWED_IPS = []
    settings.METRICS_TOKEN = ""

    local = client.get("/metrics", REMOTE_ADDR="127.0.0.1")
    empty_token = client.get("/metrics", headers={"Authorization": "Bearer "})

    assert local.status_code == 404
    assert empty_token.status_code == 404


def test_metrics_answer_the_internal_network_and_not_the_outside(client, settings):
    settings.METRICS_ALLOWED_IPS = ["10.0.0.0/8", "192.0.2.7"]
    settings.METRICS_TOKEN = ""

    inside = client.get("/metrics", REMOTE_ADDR="10.1.2.3")
    listed = client.get("/metrics", REMOTE_ADDR="192.0.2.7")
    outside = client.get("/metrics", REMOTE_ADDR="203.0.113.9")

    assert inside.status_code == 200
    assert listed.status_code == 200
    assert outside.status_code == 404


def test_metrics_answer_the_right_bearer_token_only(client, settings):
    settings.METRICS_ALLOWED_IPS = []
    settings.METRICS_TOKEN = "a-long-scrape-token"

    right = client.get(
        "/metrics",
        REMOTE_ADDR="203.0.113.9",
        headers={"Authorization": "Bearer a-long-scrape-token"},
    )
    wrong = client.get(
        "/metrics", REMOTE_ADDR="203.0.113.9", headers={"Authorization": "Bearer guessed"}
    )

    assert right.status_code == 200
    assert wrong.status_code == 404


def _metric(text: str, name: str) -> float:
    for line in text.splitlines():
        if line.startswith(name + " ") or line.startswith(name + "{"):
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError(f"{name} not in the metrics")


def test_metrics_count_requests_per_view_queue_depth_failures_and_lockouts(client, settings):
    settings.METRICS_ALLOWED_IPS = ["127.0.0.1"]
    settings.TASKS = {
        "default": {"BACKEND": "cpdnet.operations.request_ids.RequestTracingDatabaseBackend"}
    }
    # Given two tasks waiting (one for ten minutes), one failed, and one locked sign-in code
    send_newsletter_batch_task.enqueue(1, 0)
    send_newsletter_batch_task.enqueue(1, 0)
    oldest = DBTaskResult.objects.order_by("enqueued_at").first()
    DBTaskResult.objects.filter(pk=oldest.pk).update(
        enqueued_at=timezone.now() - datetime.timedelta(minutes=10)
    )
    failed = send_newsletter_batch_task.enqueue(1, 0)
    DBTaskResult.objects.filter(pk=failed.id).update(status="FAILED")
    SignInCode.objects.create(
        email="locked@example.org",
        code_hash="x",
        link_hash="y",
        expires_at=timezone.now() + datetime.timedelta(minutes=5),
        failed_attempts=settings.SIGN_IN_MAX_FAILURES,
    )
    client.get("/healthz")

    text = client.get("/metrics").content.decode()

    assert _metric(text, "cpdnet_task_queue_depth") == 2
    assert 590 < _metric(text, "cpdnet_task_queue_oldest_age_seconds") < 700
    assert _metric(text, "cpdnet_tasks_failed") == 1
    assert _metric(text, "cpdnet_sign_in_lockouts") == 1
    assert 'view="healthz"' in text
    assert "django_http_requests_latency_seconds_by_view_method_bucket" in text
