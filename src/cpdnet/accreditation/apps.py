from django.apps import AppConfig


class AccreditationConfig(AppConfig):
    name = "cpdnet.accreditation"
    verbose_name = "PD Lead accreditation"

    def ready(self) -> None:
        from cpdnet.applications.signals import application_moved

        from .services import on_application_moved

        application_moved.connect(on_application_moved, dispatch_uid="accreditation")
