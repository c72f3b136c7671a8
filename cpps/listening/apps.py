from django.apps import AppConfig


class ListeningConfig(AppConfig):
    name = "cpps.listening"
    label = "listening"
