from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class PublicConfig(AppConfig):
    name = "cpdnet.public"
    verbose_name = "Public pages"

    def ready(self) -> None:
        from cpdnet.applications.models import Application
        from cpdnet.hubs.models import Hub
        from cpdnet.programmes.models import Offering, Programme

        from .catalogue.cache import forget_pages

        for model in (Programme, Offering, Application, Hub):
            post_save.connect(
                forget_pages, sender=model, dispatch_uid=f"catalogue-{model.__name__}-s"
            )
            post_delete.connect(
                forget_pages, sender=model, dispatch_uid=f"catalogue-{model.__name__}-d"
            )
