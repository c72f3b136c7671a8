from django.apps import AppConfig


class PanelsConfig(AppConfig):
    name = "cpps.panels"
    label = "panels"
    verbose_name = "Civic lottery panels"

    def ready(self) -> None:
        from cpps.common.hooks import watchdog_register  # noqa: PLC0415 - apps are loaded now
        from cpps.panels.computation import panel_computations_recover  # noqa: PLC0415

        watchdog_register("panel computations", panel_computations_recover)
