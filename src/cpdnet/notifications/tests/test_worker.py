"""`cpdnet worker`: the thread that enqueues the periodic tasks of settings.PERIODIC_TASKS."""

import threading
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import OperationalError
from django_tasks import task

from cpdnet.notifications.management.commands.worker import _enqueue_periodic_tasks

# Each pass calls close_old_connections(), which (with health checks on) pings a connection
# that an earlier test's request left open: database access must be allowed.
pytestmark = pytest.mark.django_db

COMMAND = "cpdnet.notifications.management.commands.worker"
CALLS: list[str] = []
FIRST_CALL = threading.Event()


@task()
def frequent_task() -> None:
    CALLS.append("frequent")
    FIRST_CALL.set()


@task()
def daily_task() -> None:
    CALLS.append("daily")


class FlakyTask:
    """Stands in for a task whose enqueue fails once, as when the database is briefly away."""

    def __init__(self) -> None:
        self.attempts = 0

    def enqueue(self) -> None:
        self.attempts += 1
        if self.attempts == 1:
            raise OperationalError("server closed the connection unexpectedly")
        CALLS.append("flaky")


FLAKY = FlakyTask()


class Passes:
    """A stop event that never sleeps and is set after a given number of passes."""

    def __init__(self, passes: int) -> None:
        self.left = passes
        self.waits: list[float] = []

    def is_set(self) -> bool:
        return self.left <= 0

    def wait(self, timeout: float) -> bool:
        self.waits.append(timeout)
        self.left -= 1
        return self.is_set()


@pytest.fixture(autouse=True)
def _fresh_calls():
    CALLS.clear()
    FIRST_CALL.clear()
    FLAKY.attempts = 0


def path(name: str) -> str:
    return f"{__name__}.{name}"


def run_passes(passes: int, clock: list[float]) -> Passes:
    """Run the scheduler for some passes, the monotonic clock reading `clock` at each."""
    stop = Passes(passes)
    with mock.patch("cpdnet.notifications.management.commands.worker.time") as fake_time:
        fake_time.monotonic.side_effect = clock
        _enqueue_periodic_tasks(stop)
    return stop


def test_the_scheduler_enqueues_the_periodic_tasks_at_once_and_stops_when_told(settings):
    # Given one periodic task, due every hour
    settings.PERIODIC_TASKS = {path("frequent_task"): 3600}
    stop = threading.Event()
    scheduler = threading.Thread(target=_enqueue_periodic_tasks, args=(stop,), daemon=True)

    # When the scheduler starts, then it enqueues the task straight away
    scheduler.start()
    assert FIRST_CALL.wait(timeout=5)

    # And when told to stop, it stops without waiting out its sleep
    stop.set()
    scheduler.join(timeout=5)
    assert not scheduler.is_alive()
    assert CALLS == ["frequent"]


def test_each_periodic_task_is_enqueued_when_it_is_due_and_not_before(settings):
    # Given a task due every minute and one due every day
    settings.PERIODIC_TASKS = {path("frequent_task"): 60, path("daily_task"): 86400}

    # When the scheduler makes four passes, 30 seconds apart
    stop = run_passes(4, clock=[0.0, 30.0, 60.0, 90.0])

    # Then both run at once, and the frequent one again a minute later
    assert CALLS == ["frequent", "daily", "frequent"]
    assert stop.waits == [30, 30, 30, 30]


def test_no_periodic_tasks_means_nothing_is_enqueued(settings):
    settings.PERIODIC_TASKS = {}

    run_passes(2, clock=[0.0, 30.0])

    assert CALLS == []


def test_a_failure_to_enqueue_one_task_does_not_stop_the_schedule(settings):
    # Given a task whose first enqueue fails (the database was briefly away), and another task
    settings.PERIODIC_TASKS = {path("FLAKY"): 60, path("frequent_task"): 60}

    # When the scheduler makes three passes, a minute apart
    run_passes(3, clock=[0.0, 60.0, 120.0])

    # Then the failure is not the end of the schedule: the other task still ran on the first
    # pass, and the failed one was tried again when next due
    assert CALLS == ["frequent", "flaky", "frequent", "flaky", "frequent"]
    assert FLAKY.attempts == 3


def test_a_worker_without_periodic_tasks_runs_tasks_only(database_queue):
    with (
        mock.patch(f"{COMMAND}._enqueue_periodic_tasks") as schedule,
        mock.patch(f"{COMMAND}.DatabaseWorkerCommand.handle") as run_tasks,
    ):
        call_command("worker", periodic="without")

    run_tasks.assert_called_once()
    schedule.assert_not_called()


def test_the_scheduler_enqueues_periodic_tasks_and_runs_none(database_queue):
    with (
        mock.patch(f"{COMMAND}._enqueue_periodic_tasks") as schedule,
        mock.patch(f"{COMMAND}.DatabaseWorkerCommand.handle") as run_tasks,
    ):
        call_command("worker", periodic="only")

    schedule.assert_called_once()
    run_tasks.assert_not_called()


@pytest.fixture
def database_queue(settings):
    # The command checks that its backend is a database queue, as in production.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
