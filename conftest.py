"""Shared pytest set-up: tasks run eagerly, email goes to the locmem outbox."""

import os

os.environ.setdefault("CPDNET_TASKS_BACKEND", "django_tasks.backends.immediate.ImmediateBackend")
os.environ.setdefault("CPDNET_DEBUG", "0")

import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _static_without_manifest(settings):
    # Tests render templates without running collectstatic first.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _fresh_hub_directory():
    # Test rollbacks send no signals, so no test may see another test's hubs.
    from cpdnet.hubs.directory import invalidate_hub_directory

    invalidate_hub_directory()
