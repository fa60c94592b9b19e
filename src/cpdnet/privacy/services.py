"""Apply the retention schedule: every declared kind of personal data, after its period."""

import datetime
import logging
from collections.abc import Callable

from django.conf import settings
from django.utils import timezone

from .registry import RetentionRun, list_personal_data

logger = logging.getLogger(__name__)


def apply_retention(
    *,
    now: datetime.datetime | None = None,
    dry_run: bool = False,
    batch_size: int = 1000,
    progress: Callable[[str], None] = lambda message: None,
) -> dict[str, int]:
    """Anonymise or delete whatever has been kept for its period; return rows per kind.

    Each batch commits on its own, so a national-scale first run never holds long locks and
    an interrupted run simply carries on next time."""
    run = RetentionRun(
        now=now or timezone.now(), dry_run=dry_run, batch_size=batch_size, progress=progress
    )
    done = {}
    for declaration in list_personal_data():
        if declaration.retention_period is None:
            continue
        progress(f"{declaration.label} (kept {_period(declaration.retention_period)})")
        done[declaration.key] = declaration.apply_retention(run)
        verb = "would be" if dry_run else "were"
        progress(f"  {done[declaration.key]:,} rows {verb} anonymised or deleted")
    if not dry_run:
        logger.info("Retention applied: %s", done)
    return done


def _period(name: str) -> str:
    days = settings.PERSONAL_DATA_RETENTION_DAYS[name]
    return f"{days:,} days"
