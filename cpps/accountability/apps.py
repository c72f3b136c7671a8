from django.apps import AppConfig


class AccountabilityConfig(AppConfig):
    name = "cpps.accountability"
    label = "accountability"
