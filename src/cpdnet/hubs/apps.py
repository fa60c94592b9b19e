from django.apps import AppConfig


class HubsConfig(AppConfig):
    name = "cpdnet.hubs"
    verbose_name = "Networks and hubs"
