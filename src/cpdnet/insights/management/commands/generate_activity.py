import sys

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from cpdnet.insights.activity import DOMAIN, SCALES, ActivityError, generate_activity, iter_counts


class Command(BaseCommand):
    help = (
        "Generate made-up teachers, offerings, sessions, applications, attendance, surveys and "
        "cascade records over the schools register, hubs and programmes that load-demo loads, "
        f"for trying and timing insights. Everything generated is at @{DOMAIN}."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--years", type=int, default=5, help="Academic years up to this one (default 5)."
        )
        parser.add_argument(
            "--scale",
            choices=list(SCALES),
            default="small",
            help="small: one hub per network, a few thousand rows (default); medium: every "
            "hub, a quarter of the national volume; national: about 500,000 teachers and "
            "millions of applications.",
        )
        parser.add_argument(
            "--seed", type=int, default=2026, help="Same seed, same rows (default 2026)."
        )
        parser.add_argument(
            "--batch-size", type=int, default=2000, help="Rows per INSERT (default 2000)."
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Delete the activity generated before (and only that) first.",
        )

    def handle(self, *args, years, scale, seed, batch_size, replace, verbosity, **options):
        show_bar = verbosity > 0 and sys.stderr.isatty()
        with tqdm(desc="Generating activity", unit=" steps", disable=not show_bar) as bar:

            def set_total(total: int) -> None:
                bar.total = total
                bar.refresh()

            try:
                summary = generate_activity(
                    years=years,
                    scale=scale,
                    seed=seed,
                    batch_size=batch_size,
                    replace=replace,
                    progress=bar.update,
                    set_total=set_total,
                )
            except ActivityError as error:
                raise CommandError(str(error)) from error
        if summary.deleted:
            self.stdout.write(f"Deleted the activity generated before ({summary.deleted} people).")
        counts = ", ".join(f"{count:,} {name}" for name, count in iter_counts(summary))
        self.stdout.write(f"Generated {counts}.")
        if not summary.questions:
            self.stdout.write(
                "There are no national survey questions, so no survey answers were generated."
            )
        self.stdout.write(
            f"Rebuilt the engagement rollup: {summary.rollup_rows:,} rows in "
            f"{summary.rollup_seconds:.1f} s."
        )
        self.stdout.write(f"Took {summary.seconds:.1f} s.")
