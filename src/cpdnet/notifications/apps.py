from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "cpdnet.notifications"
    verbose_name = "Notifications"
