from django.apps import AppConfig


class ParticipationConfig(AppConfig):
    name = "cpps.participation"
    label = "participation"

    def ready(self) -> None:
        # Importing connects the receivers; models load first, hence here.
        from cpps.participation import audit_actions, receivers  # noqa: F401, PLC0415
