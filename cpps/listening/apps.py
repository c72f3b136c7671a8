from django.apps import AppConfig


class ListeningConfig(AppConfig):
    name = "cpps.listening"
    label = "listening"

    def ready(self) -> None:
        # Importing registers the kind and connects the receivers; models load first, hence here.
        from cpps.listening import kind, receivers  # noqa: F401, PLC0415
