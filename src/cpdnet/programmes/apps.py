from django.apps import AppConfig


class ProgrammesConfig(AppConfig):
    name = "cpdnet.programmes"
    verbose_name = "Programmes and offerings"

    def ready(self) -> None:
        from . import receivers  # noqa: F401 (connects the hub provider receiver)
