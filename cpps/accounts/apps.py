from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "cpps.accounts"
    label = "accounts"

    def ready(self) -> None:
        from cpps.accounts import audit_actions  # noqa: F401, PLC0415
