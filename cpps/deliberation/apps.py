from django.apps import AppConfig


class DeliberationConfig(AppConfig):
    name = "cpps.deliberation"
    label = "deliberation"

    def ready(self) -> None:
        # Importing registers the kind of process; models must be loaded first, hence here.
        from cpps.deliberation import kind  # noqa: F401, PLC0415
