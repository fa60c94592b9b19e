from django.apps import AppConfig


class ProgrammesConfig(AppConfig):
    name = "cpdnet.programmes"
    verbose_name = "Programmes and offerings"
