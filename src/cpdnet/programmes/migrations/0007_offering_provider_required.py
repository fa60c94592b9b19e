import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("programmes", "0006_backfill_hub_providers")]

    operations = [
        migrations.AlterField(
            model_name="offering",
            name="provider",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="offerings",
                to="programmes.provider",
            ),
        ),
    ]
