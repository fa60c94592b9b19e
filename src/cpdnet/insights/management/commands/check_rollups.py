from django.core.management.base import BaseCommand, CommandError

from cpdnet.insights.engagement import compare_engagement

SHOWN = 20


class Command(BaseCommand):
    help = (
        "Compare the engagement rollup with the applications it sums (the same facts counted "
        "by a grouped query over the raw rows) and list every difference. Exits with status 1 "
        "when there is any: `cpdnet rebuild-rollups` then makes the rollup right."
    )

    def handle(self, *args, **options):
        differences = list(compare_engagement())
        if not differences:
            self.stdout.write("The engagement rollup matches the applications.")
            return
        for difference in differences[:SHOWN]:
            self.stdout.write(str(difference))
        if len(differences) > SHOWN:
            self.stdout.write(f"... and {len(differences) - SHOWN} more.")
        raise CommandError(
            f"The engagement rollup differs from the applications for {len(differences)} "
            "school, network and year keys. Run `cpdnet rebuild-rollups`."
        )
