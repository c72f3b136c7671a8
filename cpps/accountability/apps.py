from django.apps import AppConfig


class AccountabilityConfig(AppConfig):
    name = "cpps.accountability"
    label = "accountability"

    def ready(self) -> None:
        # Importing registers the kind of process; models must be loaded first, hence here.
        from cpps.accountability import audit_actions, kind  # noqa: F401, PLC0415
