from django.apps import AppConfig


class FundingConfig(AppConfig):
    name = "cpdnet.funding"
    verbose_name = "Funding"

    def ready(self) -> None:
        from cpdnet.applications.signals import application_moved

        from .services import on_application_moved

        application_moved.connect(on_application_moved, dispatch_uid="funding")
