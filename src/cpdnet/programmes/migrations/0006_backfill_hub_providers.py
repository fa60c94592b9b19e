"""Give every hub its Provider row, and every existing offering its hub's provider."""

from django.db import migrations

BATCH = 1000


def forwards(apps, schema_editor):
    Hub = apps.get_model("hubs", "Hub")
    Provider = apps.get_model("programmes", "Provider")
    Offering = apps.get_model("programmes", "Offering")
    have_provider = set(Provider.objects.filter(hub__isnull=False).values_list("hub_id", flat=True))
    Provider.objects.bulk_create(
        [
            Provider(
                kind="hub",
                name=hub.name,
                slug=hub.slug,
                network_id=hub.network_id,
                hub_id=hub.pk,
                email=hub.email,
                phone=hub.phone,
                website=hub.website,
            )
            for hub in Hub.objects.exclude(pk__in=have_provider).iterator()
        ],
        batch_size=BATCH,
    )
    provider_of_hub = dict(Provider.objects.filter(hub__isnull=False).values_list("hub_id", "pk"))
    for hub_id, provider_id in provider_of_hub.items():
        Offering.objects.filter(hub_id=hub_id, provider__isnull=True).update(
            provider_id=provider_id
        )


def backwards(apps, schema_editor):
    Offering = apps.get_model("programmes", "Offering")
    Provider = apps.get_model("programmes", "Provider")
    Offering.objects.filter(provider__kind="hub").update(provider=None)
    Provider.objects.filter(kind="hub").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("hubs", "0001_initial"),
        ("programmes", "0005_providers_residentials_and_programme_years"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
