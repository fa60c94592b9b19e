"""`cpdnet worker`: run background tasks from the database queue, and enqueue the periodic
ones listed in settings.PERIODIC_TASKS. Periodic tasks are idempotent, so running several
workers (each enqueuing them) is safe; a fleet may instead run its workers with
`--periodic without` and one `--periodic only` scheduler (deploy/systemd)."""

import logging
import signal
import threading
import time

from django.conf import settings
from django.db import close_old_connections
from django.utils.module_loading import import_string
from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand

logger = logging.getLogger(__name__)


def _enqueue_periodic_tasks(stop: threading.Event) -> None:
    due = dict.fromkeys(settings.PERIODIC_TASKS, 0.0)
    while not stop.is_set():
        close_old_connections()  # a dropped database connection is replaced, not kept
        now = time.monotonic()
        for path, every_seconds in settings.PERIODIC_TASKS.items():
            if now >= due[path]:
                try:
                    import_string(path).enqueue()
                except Exception:
                    # One failure (a database blip) must not end the schedule for good.
                    logger.exception("Could not enqueue the periodic task %s", path)
                due[path] = now + every_seconds
        stop.wait(30)


class Command(DatabaseWorkerCommand):
    help = "Run background tasks (emails, expiries) and enqueue the periodic ones."

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--periodic",
            choices=["with", "without", "only"],
            default="with",
            help=(
                "with: run tasks and enqueue the periodic ones (the default); without: only "
                "run tasks; only: only enqueue the periodic ones (one scheduler for a fleet)"
            ),
        )

    def handle(self, *args, periodic: str = "with", **options):
        stop = threading.Event()
        if periodic == "only":
            for signal_number in (signal.SIGTERM, signal.SIGINT):
                signal.signal(signal_number, lambda *_: stop.set())
            _enqueue_periodic_tasks(stop)
            return
        if periodic == "without":
            super().handle(*args, **options)
            return
        scheduler = threading.Thread(
            target=_enqueue_periodic_tasks, args=(stop,), name="periodic-tasks", daemon=True
        )
        scheduler.start()
        try:
            super().handle(*args, **options)
        finally:
            stop.set()
