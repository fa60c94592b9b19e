from django.apps import AppConfig


class BackofficeConfig(AppConfig):
    name = "cpdnet.backoffice"
    verbose_name = "Back office"
