from django.apps import AppConfig


class PublicConfig(AppConfig):
    name = "cpdnet.public"
    verbose_name = "Public pages"
