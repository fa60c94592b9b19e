import pytest
from django.db import transaction


@pytest.fixture(autouse=True)
def _on_commit_at_once(request, monkeypatch):
    # Most tests run inside a transaction that is never committed, so what a write schedules
    # on commit (its emails) would never run: run it at once instead. Tests with real
    # transactions (transaction=True) keep the real behaviour.
    marker = request.node.get_closest_marker("django_db")
    if marker is not None and marker.kwargs.get("transaction"):
        return
    monkeypatch.setattr(transaction, "on_commit", lambda func, using=None, robust=False: func())
