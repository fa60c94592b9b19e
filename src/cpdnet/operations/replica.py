"""Reads of reports and insights from a read replica, when DATABASE_REPLICA_URL is set.

A view opts in with `@reads_from_replica`; inside it, the router sends reads to the replica
(writes, sessions and accounts always go to the primary). Entering the view asks the replica
how far behind it is, which also proves it answers: when it does not, the view reads from the
primary without an error, and the replica is not asked again for REPLICA_RETRY_SECONDS.
"""

import contextvars
import logging
import time
from dataclasses import dataclass
from functools import wraps

from django.db import DatabaseError, connections

logger = logging.getLogger(__name__)

REPLICA = "replica"
PRIMARY = "default"
REPLICA_RETRY_SECONDS = 30
# Personal and sign-in data is read where it was just written, never from a copy behind it.
PRIMARY_ONLY_APPS = frozenset({"sessions", "accounts", "auth", "contenttypes", "django_tasks_db"})

LAG_SQL = """
    SELECT CASE
        WHEN NOT pg_is_in_recovery() THEN 0
        WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
        ELSE EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())
    END
"""


@dataclass(frozen=True)
class ReportingRead:
    alias: str
    lag_seconds: float | None  # None: read from the primary, figures are live


_current_read: contextvars.ContextVar[ReportingRead | None] = contextvars.ContextVar(
    "cpdnet_reporting_read", default=None
)
_replica_down_until = 0.0


def _replica_lag() -> float | None:
    """Seconds the replica is behind, or None when there is no replica or it does not answer."""
    global _replica_down_until
    if REPLICA not in connections.settings or time.monotonic() < _replica_down_until:
        return None
    connection = connections[REPLICA]
    try:
        if connection.vendor != "postgresql":
            connection.ensure_connection()
            return 0.0
        with connection.cursor() as cursor:
            cursor.execute(LAG_SQL)
            (lag,) = cursor.fetchone()
    except DatabaseError:
        logger.warning("The read replica does not answer: reading from the primary")
        connection.close()
        _replica_down_until = time.monotonic() + REPLICA_RETRY_SECONDS
        return None
    return float(lag or 0)


def choose_reporting_database() -> ReportingRead:
    """The database reports read from now: the replica when it answers, else the primary."""
    lag = _replica_lag()
    if lag is None:
        return ReportingRead(alias=PRIMARY, lag_seconds=None)
    return ReportingRead(alias=REPLICA, lag_seconds=lag)


def reads_from_replica(view):
    """Let the view's reads of report data go to the replica when one answers."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        token = _current_read.set(choose_reporting_database())
        try:
            return view(request, *args, **kwargs)
        finally:
            _current_read.reset(token)

    return wrapper


def current_reporting_read() -> ReportingRead | None:
    return _current_read.get()


class ReportingReplicaRouter:
    """Reads inside a `reads_from_replica` view go where it chose; everything else as usual."""

    def db_for_read(self, model, **hints):
        read = _current_read.get()
        if read is None or model._meta.app_label in PRIMARY_ONLY_APPS:
            return None
        return read.alias

    def db_for_write(self, model, **hints):
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        # Both databases hold the same rows: a replica's hub may be set on a primary's row.
        if {obj1._state.db, obj2._state.db} <= {PRIMARY, REPLICA}:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # The replica copies the primary's schema by streaming replication.
        return db != REPLICA


def figures_freshness(request) -> dict:
    """Template context: how far behind the figures of a page read from the replica are."""
    read = _current_read.get()
    if read is None or read.alias != REPLICA:
        return {}
    return {"figures_lag_seconds": round(read.lag_seconds or 0)}
