from django.apps import AppConfig


class PrioritiesConfig(AppConfig):
    name = "cpps.priorities"
    label = "priorities"
