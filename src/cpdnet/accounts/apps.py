from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "cpdnet.accounts"
    verbose_name = "People and sign-in"
