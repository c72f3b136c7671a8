from django.apps import AppConfig


class ChannelsConfig(AppConfig):
    name = "cpps.channels"
    label = "channels"

    def ready(self) -> None:
        from cpps.channels import audit_actions  # noqa: F401, PLC0415

        # Models are loaded by now.
        from cpps.channels.services import sms_lost_recover  # noqa: PLC0415
        from cpps.common.hooks import watchdog_register  # noqa: PLC0415

        watchdog_register("text messages", sms_lost_recover)
