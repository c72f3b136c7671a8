from django.apps import AppConfig


class JurisdictionsConfig(AppConfig):
    name = "cpps.jurisdictions"
    label = "jurisdictions"

    def ready(self) -> None:
        from cpps.jurisdictions import audit_actions  # noqa: F401, PLC0415
