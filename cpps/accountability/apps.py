from django.apps import AppConfig


class AccountabilityConfig(AppConfig):
    name = "cpps.accountability"
    label = "accountability"

    def ready(self) -> None:
        # Importing registers the kind of process; models must be loaded first, hence here.
        from cpps.accountability import audit_actions, kind, opendata  # noqa: F401, PLC0415
        from cpps.common.opendata import (  # noqa: PLC0415
            announcer_register,
            jurisdiction_datasets_register,
        )

        jurisdiction_datasets_register("commitments", opendata.commitment_datasets)
        announcer_register(
            "commitments",
            actions=opendata.COMMITMENT_ACTIONS,
            announcer=opendata.commitment_announcements,
        )
