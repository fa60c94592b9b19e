"""A busy database (SQLite locked by a long write, PostgreSQL lock timeouts and serialization
failures) is answered with 503 and Retry-After, never a 500."""

import sqlite3
from contextlib import contextmanager
from unittest import mock

import psycopg
import pytest
from django.db import OperationalError, connection
from django.test import Client

from cpdnet.notifications.models import Audience, SentEmail


def postgresql_error(cause: type[psycopg.Error]) -> OperationalError:
    """An OperationalError as Django raises it from psycopg's own error."""
    error = OperationalError("the server ended the transaction")
    error.__cause__ = cause("the server ended the transaction")
    return error


@pytest.fixture
def client():
    # As in production: an error the portal does not handle becomes a response, not a raise.
    return Client(raise_request_exception=False)


@contextmanager
def another_writer_holds_the_lock():
    """Hold a write lock from a second connection, as a long import would, and make this
    process's connection give up waiting after a fifth of a second."""
    options = connection.settings_dict["OPTIONS"]
    saved = dict(options)
    connection.close()
    if connection.vendor == "sqlite":
        options["timeout"] = 0.2
        other = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
    else:
        options["options"] = "-c lock_timeout=200"
        parameters = connection.get_connection_params()
        parameters.pop("options", None)
        parameters.pop("cursor_factory", None)
        other = psycopg.connect(**parameters)
        other.execute(f"LOCK TABLE {SentEmail._meta.db_table} IN EXCLUSIVE MODE")
    try:
        yield
    finally:
        other.rollback()
        other.close()
        connection.close()
        options.clear()
        options.update(saved)


@pytest.mark.django_db(transaction=True)
def test_a_write_that_waits_too_long_for_a_lock_is_answered_503_with_retry_after(client):
    # Given a newsletter to subscribe to, and another writer holding the database
    audience = Audience.objects.create(slug="primary", name="Primary round-up")

    # When someone subscribes (which records the confirmation email it sends)
    with another_writer_holds_the_lock():
        response = client.post(
            "/newsletters/", {"email": "sam@example.org", "audiences": [audience.pk]}
        )

    # Then they are told the service is busy and when to try again, and nothing was written
    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    assert "Sorry, the service is busy" in response.content.decode()
    assert not SentEmail.objects.exists()

    # And once the lock is gone, the same request works
    response = client.post(
        "/newsletters/", {"email": "sam@example.org", "audiences": [audience.pk]}
    )
    assert response.status_code == 200
    assert SentEmail.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "error",
    [
        OperationalError("database is locked"),
        postgresql_error(psycopg.errors.LockNotAvailable),
        postgresql_error(psycopg.errors.SerializationFailure),
        postgresql_error(psycopg.errors.DeadlockDetected),
    ],
    ids=["sqlite-locked", "lock-timeout", "serialization", "deadlock"],
)
def test_the_api_answers_a_busy_database_with_a_json_503(client, error):
    with mock.patch("cpdnet.programmes.selectors.list_programmes", side_effect=error):
        response = client.get("/api/v1/programmes")

    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    assert response.json() == {"detail": "The service is busy. Try again in a few seconds."}


@pytest.mark.django_db
def test_a_page_answers_a_busy_database_with_the_busy_page(client):
    with mock.patch(
        "cpdnet.hubs.selectors.list_hubs",
        side_effect=postgresql_error(psycopg.errors.SerializationFailure),
    ):
        response = client.get("/hubs/")

    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    assert "Wait a few seconds, then try again." in response.content.decode()


@pytest.mark.django_db
def test_a_busy_database_met_while_saving_the_session_is_also_a_503(client):
    # Given the session store, which saves after the view has answered, finding the file locked
    with mock.patch(
        "django.contrib.sessions.backends.db.SessionStore.save",
        side_effect=OperationalError("database is locked"),
    ):
        response = client.post("/sign-in/", {"email": "sam@example.org"})

    assert response.status_code == 503
    assert response["Retry-After"] == "10"


@pytest.mark.django_db
def test_other_database_errors_are_still_server_errors(client):
    error = OperationalError("no such table: hubs_hub")
    with mock.patch("cpdnet.hubs.selectors.list_hubs", side_effect=error):
        response = client.get("/hubs/")

    assert response.status_code == 500
    assert "Retry-After" not in response
