from django.apps import AppConfig


class ProcessesConfig(AppConfig):
    name = "cpps.processes"
    label = "processes"

    def ready(self) -> None:
        from cpps.common.opendata import announcer_register  # noqa: PLC0415
        from cpps.processes import audit_actions  # noqa: F401, PLC0415
        from cpps.processes.announcements import (  # noqa: PLC0415 - models loaded first
            STATE_CHANGED,
            process_announcements,
        )

        announcer_register("processes", actions=(STATE_CHANGED,), announcer=process_announcements)
