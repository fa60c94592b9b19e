"""Load England's local authorities and districts (ONS LAD 2025) shipped with the project."""

from django.db import migrations


def load(apps, schema_editor):
    from cpdnet.schools.services import load_local_authorities

    load_local_authorities(
        local_authority_model=apps.get_model("schools", "LocalAuthority"),
        district_model=apps.get_model("schools", "District"),
    )


def unload(apps, schema_editor):
    apps.get_model("schools", "District").objects.all().delete()
    apps.get_model("schools", "LocalAuthority").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("schools", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
