from django.apps import AppConfig


class PanelsConfig(AppConfig):
    name = "cpps.panels"
    label = "panels"
    verbose_name = "Civic lottery panels"
