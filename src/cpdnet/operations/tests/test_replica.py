"""Insights read from the replica when it answers, say how fresh they are, and fall back to
the primary without an error when it does not."""

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cpdnet.hubs.services import ensure_networks
from cpdnet.operations import replica
from tests.factories import RoleAssignmentFactory, UserFactory

# Tests here are transactional: a replica is a second connection, which sees only what the
# primary committed, and pytest-django then opens no transaction on it.
NATIONAL = reverse("backoffice:insights")
FRESHNESS = "These figures come from the reporting copy of the database"


CLOSED_PORT = {
    "ENGINE": "django.db.backends.postgresql",
    "NAME": "cpdnet",
    "USER": "postgres",
    "HOST": "127.0.0.1",
    "PORT": "1",
    "OPTIONS": {"connect_timeout": 2},
}


def _set_replica(database: dict) -> None:
    if replica.REPLICA in connections.settings:
        connections[replica.REPLICA].close()
        del connections[replica.REPLICA]
    configured = connections.configure_settings(
        {"default": connections.settings["default"], replica.REPLICA: database}
    )[replica.REPLICA]
    # As settings.py does: tests never create or flush a database for the replica.
    configured["TEST"]["MIRROR"] = "default"
    connections.settings[replica.REPLICA] = configured


# Module scope: the alias must exist before pytest-django sets up each test's databases.
@pytest.fixture(scope="module", autouse=True)
def _replica_alias():
    _set_replica(CLOSED_PORT)
    yield
    connections[replica.REPLICA].close()
    del connections[replica.REPLICA]
    del connections.settings[replica.REPLICA]


@pytest.fixture
def replica_database(monkeypatch):
    """Point the `replica` database at the given settings for one test."""
    monkeypatch.setattr(replica, "_replica_down_until", 0.0)
    yield _set_replica
    _set_replica(CLOSED_PORT)


def _national_staff():
    ensure_networks()
    person = UserFactory(email="national@example.org")
    RoleAssignmentFactory(user=person, role="national_staff")
    return person


@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_insights_answer_from_the_primary_when_the_replica_is_down(client, replica_database):
    # Given a replica URL pointing at a port nothing listens on
    replica_database(CLOSED_PORT)
    client.force_login(_national_staff())

    page = client.get(NATIONAL, {"network": "maths"})
    again = client.get(NATIONAL, {"network": "maths"})

    # Then the pages answer from the primary, without a word about a reporting copy
    assert page.status_code == 200
    assert again.status_code == 200
    assert FRESHNESS not in page.content.decode()
    assert replica.choose_reporting_database().alias == replica.PRIMARY


@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_insights_read_from_a_replica_that_answers_and_say_how_fresh(client, replica_database):
    # Given a replica that is a second connection to the same database
    replica_database({**connections["default"].settings_dict, "TEST": {}})
    client.force_login(_national_staff())

    with CaptureQueriesContext(connections[replica.REPLICA]) as on_replica:
        page = client.get(NATIONAL, {"network": "maths"})

    assert page.status_code == 200
    assert FRESHNESS in page.content.decode()
    tables = " ".join(query["sql"] for query in on_replica.captured_queries)
    assert "schools_school" in tables
    # Sessions and accounts are never read from a copy that may be behind
    assert "django_session" not in tables
    assert "accounts_user" not in tables


def test_the_router_sends_writes_and_personal_data_to_the_primary():
    from cpdnet.accounts.models import User
    from cpdnet.schools.models import School

    router = replica.ReportingReplicaRouter()
    token = replica._current_read.set(replica.ReportingRead(replica.REPLICA, 0.0))
    try:
        assert router.db_for_read(School) == replica.REPLICA
        assert router.db_for_read(User) is None
        assert router.db_for_write(School) == replica.PRIMARY
    finally:
        replica._current_read.reset(token)
    assert router.db_for_read(School) is None
    assert router.allow_migrate(replica.REPLICA, "schools") is False
