from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "cpdnet.api"
    verbose_name = "JSON API"
