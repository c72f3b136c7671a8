from django.apps import AppConfig


class ParticipationConfig(AppConfig):
    name = "cpps.participation"
    label = "participation"
