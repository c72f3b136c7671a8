from django.apps import AppConfig


class PrioritiesConfig(AppConfig):
    name = "cpps.priorities"
    label = "priorities"

    def ready(self) -> None:
        # Importing registers the kind of process; models must be loaded first, hence here.
        from cpps.priorities import audit_actions, kind  # noqa: F401, PLC0415
