from django.apps import AppConfig


class DeliveryConfig(AppConfig):
    name = "cpdnet.delivery"
    verbose_name = "Delivery"
