"""Shared pytest set-up: tasks run eagerly and fail the test if they fail; email goes to the
locmem outbox."""

import pytest
from django_tasks import TaskResultStatus
from django_tasks.signals import task_finished


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings):
    # pytest-django has loaded the settings before this file runs, so set the backend here.
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            "QUEUES": ["default"],
        }
    }


@pytest.fixture(autouse=True)
def _fail_on_failed_tasks():
    # The ImmediateBackend records a task's exception on its result instead of raising it, so
    # a broken email task would only show as a missing email: report its traceback instead.
    failures = []

    def record(sender, task_result, **kwargs):
        if task_result.status == TaskResultStatus.FAILED:
            failures.append(task_result)

    task_finished.connect(record, weak=False)
    yield
    task_finished.disconnect(record)
    if failures:
        tracebacks = "\n".join(error.traceback for result in failures for error in result.errors)
        pytest.fail(f"{len(failures)} task(s) failed:\n{tracebacks}")


@pytest.fixture(autouse=True)
def _static_without_manifest(settings):
    # Tests render templates without running collectstatic first.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _empty_cache():
    # Cached pages and counters outlive a test's rolled-back data.
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _fresh_hub_directory():
    # Test rollbacks send no signals, so no test may see another test's hubs.
    from cpdnet.hubs.directory import invalidate_hub_directory

    invalidate_hub_directory()
