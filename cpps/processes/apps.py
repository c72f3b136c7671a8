from django.apps import AppConfig


class ProcessesConfig(AppConfig):
    name = "cpps.processes"
    label = "processes"

    def ready(self) -> None:
        from cpps.processes import audit_actions  # noqa: F401, PLC0415
