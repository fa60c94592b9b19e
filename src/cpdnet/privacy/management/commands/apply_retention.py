"""`cpdnet apply-retention [--dry-run]`: anonymise or delete personal data kept past its period
(docs/privacy.md); `cpdnet worker` also runs it once a day."""

from django.core.management.base import BaseCommand, CommandError

from cpdnet.privacy.services import apply_retention


class Command(BaseCommand):
    help = "Anonymise or delete personal data kept longer than the retention schedule allows."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would change; change nothing."
        )
        parser.add_argument(
            "--batch-size", type=int, default=1000, help="Rows per transaction (default 1000)."
        )

    def handle(self, *args, dry_run: bool, batch_size: int, **options) -> None:
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        done = apply_retention(
            dry_run=dry_run,
            batch_size=batch_size,
            progress=lambda message: self.stdout.write(message),
        )
        total = sum(done.values())
        if dry_run:
            self.stdout.write(f"Dry run: {total:,} rows would change. Nothing was changed.")
        else:
            self.stdout.write(self.style.SUCCESS(f"Done: {total:,} rows anonymised or deleted."))
