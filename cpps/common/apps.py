from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "cpps.common"
    label = "common"
