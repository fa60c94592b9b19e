import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from cpdnet.schools.importer import ImportFileError, import_schools


class Command(BaseCommand):
    help = (
        "Import the Get Information about Schools register (edubasealldataYYYYMMDD.csv), "
        "upserting by URN; with --links, link closed schools to their successors."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="GIAS all-establishments CSV (or .csv.gz)")
        parser.add_argument("--links", type=Path, help="GIAS links CSV (links_edubasealldata)")

    def handle(self, *args, file: Path, links: Path | None, verbosity: int, **options):
        show_bar = verbosity > 0 and sys.stderr.isatty()
        with tqdm(desc="Reading schools", unit=" rows", disable=not show_bar) as bar:
            try:
                result = import_schools(path=file, links_path=links, progress=bar.update)
            except ImportFileError as error:
                # The error names the file it is in: the register or the links file.
                raise CommandError(f"{error.file_name}: {error}. Nothing was imported.") from error
        summary = (
            f"{result.rows} rows: {result.created} created, {result.updated} updated, "
            f"{result.unchanged} unchanged, {result.closed} newly closed, "
            f"{result.successors_linked} successor links changed."
        )
        self.stdout.write(summary)
        if result.phase_from_census:
            self.stdout.write(
                f"Phase was blank for {result.phase_from_census} schools and was filled from "
                "their census school type (CensusSchoolType2019)."
            )
        if result.located_from_postcode:
            self.stdout.write(
                f"Grid position or district was taken from the postcode for "
                f"{result.located_from_postcode} schools."
            )
        if not result.changed_anything:
            self.stdout.write(self.style.SUCCESS("Nothing changed: the register was up to date."))
