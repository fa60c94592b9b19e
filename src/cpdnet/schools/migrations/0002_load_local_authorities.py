"""Load England's local authorities and districts (ONS LAD 2025) shipped with the project."""

import csv
from pathlib import Path

from django.db import migrations

LOOKUP = Path(__file__).resolve().parent.parent / "data" / "england_districts_2025.csv"


def load(apps, schema_editor):
    LocalAuthority = apps.get_model("schools", "LocalAuthority")
    District = apps.get_model("schools", "District")
    with LOOKUP.open(encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    authorities = {}
    for row in rows:
        authorities[row["la_code_dfe"]] = LocalAuthority(
            code=row["la_code_dfe"],
            ons_code=row["la_code_ons"],
            name=row["la_name"],
            region_code=row["region_code"],
            region_name=row["region_name"],
        )
    LocalAuthority.objects.bulk_create(authorities.values(), ignore_conflicts=True)
    District.objects.bulk_create(
        [
            District(
                code=row["lad25_code"], name=row["lad_name"], local_authority_id=row["la_code_dfe"]
            )
            for row in rows
        ],
        ignore_conflicts=True,
    )


def unload(apps, schema_editor):
    apps.get_model("schools", "District").objects.all().delete()
    apps.get_model("schools", "LocalAuthority").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("schools", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
