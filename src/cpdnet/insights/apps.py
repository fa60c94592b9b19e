from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "cpdnet.insights"
    verbose_name = "Reach, equity and impact"
