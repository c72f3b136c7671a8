from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "cpps.audit"
    label = "audit"

    def ready(self) -> None:
        from cpps.audit.selectors import audit_chains_integrity  # noqa: PLC0415 - models loaded
        from cpps.common.hooks import integrity_check_register  # noqa: PLC0415

        integrity_check_register("audit chains", audit_chains_integrity)

        from cpps.audit.opendata import record_datasets  # noqa: PLC0415
        from cpps.common.opendata import jurisdiction_datasets_register  # noqa: PLC0415

        jurisdiction_datasets_register("public record", record_datasets)
