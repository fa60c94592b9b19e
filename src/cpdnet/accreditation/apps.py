from django.apps import AppConfig


class AccreditationConfig(AppConfig):
    name = "cpdnet.accreditation"
    verbose_name = "PD Lead accreditation"
