import time

from django.core.management.base import BaseCommand

from cpdnet.insights.engagement import rebuild_engagement


class Command(BaseCommand):
    help = (
        "Build the engagement rollup again from the applications, in one transaction (pages "
        "keep showing the old figures until it commits). Safe to run at any time."
    )

    def handle(self, *args, **options):
        started = time.monotonic()
        rows = rebuild_engagement()
        self.stdout.write(
            f"Rebuilt the engagement rollup: {rows:,} rows in {time.monotonic() - started:.1f} s."
        )
