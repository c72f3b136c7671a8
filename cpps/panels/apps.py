from django.apps import AppConfig


class PanelsConfig(AppConfig):
    name = "cpps.panels"
    label = "panels"
    verbose_name = "Civic lottery panels"

    def ready(self) -> None:
        # Importing registers the kind of process; models must be loaded first, hence here.
        from cpps.panels import kind  # noqa: F401, PLC0415
