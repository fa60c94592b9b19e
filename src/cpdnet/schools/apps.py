from django.apps import AppConfig


class SchoolsConfig(AppConfig):
    name = "cpdnet.schools"
    verbose_name = "Schools register"
