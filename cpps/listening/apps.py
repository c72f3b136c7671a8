from django.apps import AppConfig


class ListeningConfig(AppConfig):
    name = "cpps.listening"
    label = "listening"

    def ready(self) -> None:
        # Importing connects the receivers; models must be loaded first, hence here.
        from cpps.listening import receivers  # noqa: F401, PLC0415
