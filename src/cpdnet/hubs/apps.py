from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class HubsConfig(AppConfig):
    name = "cpdnet.hubs"
    verbose_name = "Networks and hubs"

    def ready(self) -> None:
        from cpdnet.schools.models import District, LocalAuthority

        from .directory import invalidate_hub_directory
        from .models import Hub, HubArea, HubSchoolOverride, Network

        for model in (Network, Hub, HubArea, HubSchoolOverride, District, LocalAuthority):
            post_save.connect(invalidate_hub_directory, sender=model)
            post_delete.connect(invalidate_hub_directory, sender=model)
