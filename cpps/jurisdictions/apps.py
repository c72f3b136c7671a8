from django.apps import AppConfig


class JurisdictionsConfig(AppConfig):
    name = "cpps.jurisdictions"
    label = "jurisdictions"
