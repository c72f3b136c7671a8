from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "cpps.accounts"
    label = "accounts"
