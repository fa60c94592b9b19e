from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class PrivacyConfig(AppConfig):
    name = "cpdnet.privacy"
    verbose_name = "Personal data"

    def ready(self) -> None:
        # Each app declares the personal data it holds in its own `personal_data.py`.
        autodiscover_modules("personal_data")
