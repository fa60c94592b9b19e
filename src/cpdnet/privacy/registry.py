"""The register of personal data: each app declares, in its own `personal_data.py`, every kind
of personal data it holds, and how to export, erase and expire it.

The account export, the erasure and the retention run iterate over this register, so they
reach every app without importing any (after pretix's data shredders). A declaration names
the fields it covers; `tests/test_registry_is_complete.py` fails for a personal-looking field
that no declaration names.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import ClassVar

from django.conf import settings
from django.db import transaction
from django.db.models import Model, QuerySet
from django.utils import timezone


@dataclass(frozen=True)
class Person:
    """Whose data is exported or erased, with the details other apps know them by (taken
    before the account is anonymised)."""

    user: Model
    email: str
    full_name: str

    @classmethod
    def of(cls, user) -> "Person":
        return cls(user=user, email=user.email.strip().lower(), full_name=user.full_name.strip())


@dataclass
class RetentionRun:
    """One pass of the retention schedule: the time it runs at and how it reports progress."""

    now: datetime.datetime = field(default_factory=timezone.now)
    dry_run: bool = False
    batch_size: int = 1000
    progress: Callable[[str], None] = lambda message: None

    def cutoff(self, period: str) -> datetime.datetime:
        """The moment before which data kept for `period` has run its time."""
        return self.now - datetime.timedelta(days=settings.PERSONAL_DATA_RETENTION_DAYS[period])

    def in_batches(self, rows: QuerySet, change: Callable[[QuerySet], object]) -> int:
        """Apply `change` to the rows a batch at a time, each batch in its own short
        transaction, and return how many rows there were (or would be, in a dry run).

        Walks the primary key upwards, so it ends even if a change leaves rows matching."""
        if self.dry_run:
            return rows.count()
        done, last = 0, None
        while True:
            page = rows.order_by("pk")
            if last is not None:
                page = page.filter(pk__gt=last)
            ids = list(page.values_list("pk", flat=True)[: self.batch_size])
            if not ids:
                return done
            with transaction.atomic():
                change(rows.model._default_manager.filter(pk__in=ids))
            done += len(ids)
            last = ids[-1]
            self.progress(f"  {done:,}")


class PersonalData:
    """One kind of personal data an app holds. Subclass, fill in, and decorate with
    `@register`; override only the methods that apply."""

    # A stable name, "<app>.<kind>".
    key: ClassVar[str]
    # What it is, in plain English (shown by `cpdnet apply-retention` and in docs/privacy.md).
    label: ClassVar[str]
    # Every model field holding it, as "app_label.Model.field".
    fields: ClassVar[tuple[str, ...]]
    # The key of settings.PERSONAL_DATA_RETENTION_DAYS that bounds how long it is kept, or
    # None when it is kept while the account is (and goes when the person erases it).
    retention_period: ClassVar[str | None] = None
    # What survives anonymised, for insights and money.
    kept_anonymised: ClassVar[str] = ""
    # Erasure runs declarations from low to high: the audit trail is redacted after the
    # others have written their entries, and the account itself is anonymised last.
    erase_order: ClassVar[int] = 50

    def export(self, person: Person) -> dict:
        """Sections of the person's data download."""
        return {}

    def erase(self, person: Person) -> dict[str, int]:
        """Erase or anonymise the person's data inside the erasure's transaction; return
        counts for the erasure's audit entry."""
        return {}

    def apply_retention(self, run: RetentionRun) -> int:
        """Anonymise or delete what has run its time; return how many rows."""
        return 0


_registry: dict[str, type[PersonalData]] = {}


def register(declaration: type[PersonalData]) -> type[PersonalData]:
    if declaration.key in _registry and _registry[declaration.key] is not declaration:
        raise ValueError(f"Personal data {declaration.key!r} is declared twice")
    _registry[declaration.key] = declaration
    return declaration


def list_personal_data() -> list[PersonalData]:
    """Every declaration, in erasure order."""
    return [
        declaration()
        for declaration in sorted(_registry.values(), key=lambda d: (d.erase_order, d.key))
    ]


def declared_fields() -> set[str]:
    return {name for declaration in _registry.values() for name in declaration.fields}
