from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "cpps.demo"
    label = "demo"
    verbose_name = "Demo jurisdiction"
