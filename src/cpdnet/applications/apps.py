from django.apps import AppConfig


class ApplicationsConfig(AppConfig):
    name = "cpdnet.applications"
    verbose_name = "Applications"
