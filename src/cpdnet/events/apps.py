from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "cpdnet.events"
    verbose_name = "Webinars and events"
