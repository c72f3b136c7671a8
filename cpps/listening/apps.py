from django.apps import AppConfig


class ListeningConfig(AppConfig):
    name = "cpps.listening"
    label = "listening"

    def ready(self) -> None:
        # Importing registers the kind and connects the receivers; models load first, hence here.
        from cpps.common.hooks import (  # noqa: PLC0415
            integrity_check_register,
            watchdog_register,
        )
        from cpps.listening import (  # noqa: F401, PLC0415
            audit_actions,
            kind,
            receivers,
        )
        from cpps.listening.selectors import response_seals_integrity  # noqa: PLC0415
        from cpps.listening.tallies import results_refresh_recover  # noqa: PLC0415

        integrity_check_register("survey seals", response_seals_integrity)
        watchdog_register("survey results", results_refresh_recover)
