"""Keep each hub's Provider row in step with the hub (hubs cannot know about programmes)."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from cpdnet.hubs.models import Hub

from .models import Provider, ProviderKind


@receiver(post_save, sender=Hub, dispatch_uid="programmes.hub_provider")
def keep_hub_provider(sender, instance: Hub, raw: bool = False, **kwargs) -> None:
    if raw:  # loading fixtures: the fixture carries its own provider rows
        return
    Provider.objects.update_or_create(
        hub=instance,
        defaults={
            "kind": ProviderKind.HUB,
            "name": instance.name,
            "slug": instance.slug,
            "network_id": instance.network_id,
            "email": instance.email,
            "phone": instance.phone,
            "website": instance.website,
        },
    )
