from django.apps import AppConfig


class ProcessesConfig(AppConfig):
    name = "cpps.processes"
    label = "processes"
