from django.apps import AppConfig


class PanelsConfig(AppConfig):
    name = "cpps.panels"
    label = "panels"
    verbose_name = "Civic lottery panels"

    def ready(self) -> None:
        # Importing registers the kind of process; models must be loaded first, hence here.
        from cpps.common.hooks import watchdog_register  # noqa: PLC0415
        from cpps.panels import audit_actions, kind  # noqa: F401, PLC0415
        from cpps.panels.computation import panel_computations_recover  # noqa: PLC0415

        watchdog_register("panel computations", panel_computations_recover)

        from cpps.common.opendata import announcer_register  # noqa: PLC0415
        from cpps.panels.opendata import panel_announcements  # noqa: PLC0415

        announcer_register("panels", actions=("panel.drawn",), announcer=panel_announcements)
