"""Tokens made before tokens expired get the default lifetime from when they were made."""

import datetime

from django.db import migrations

DAYS = 90


def give_expiry(apps, schema_editor):
    ApiToken = apps.get_model("accounts", "ApiToken")
    for token in ApiToken.objects.filter(expires_at__isnull=True).only("pk", "created_at"):
        ApiToken.objects.filter(pk=token.pk).update(
            expires_at=token.created_at + datetime.timedelta(days=DAYS)
        )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_sign_in_lockouts_and_token_expiry")]

    operations = [migrations.RunPython(give_expiry, migrations.RunPython.noop)]
