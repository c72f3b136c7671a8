from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _record_key_fingerprint(sender: AppConfig, using: str, **kwargs: Any) -> None:
    from cpps.common.keys import (  # noqa: PLC0415 - models are loaded by now
        key_fingerprint_record,
        key_fingerprint_table_exists,
    )

    if key_fingerprint_table_exists(using=using):
        key_fingerprint_record(using=using)


class CommonConfig(AppConfig):
    name = "cpps.common"
    label = "common"

    def ready(self) -> None:
        from cpps.common import checks  # noqa: F401, PLC0415 - registers the system checks

        post_migrate.connect(_record_key_fingerprint, sender=self)
