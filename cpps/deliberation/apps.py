from django.apps import AppConfig


class DeliberationConfig(AppConfig):
    name = "cpps.deliberation"
    label = "deliberation"

    def ready(self) -> None:
        # Importing registers the kind of process; models must be loaded first, hence here.
        from cpps.common.hooks import watchdog_register  # noqa: PLC0415
        from cpps.deliberation import audit_actions, kind  # noqa: F401, PLC0415
        from cpps.deliberation.services import analyses_stuck_release  # noqa: PLC0415

        watchdog_register("conversation analyses", analyses_stuck_release)
