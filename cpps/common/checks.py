"""System checks: `cpps check --database default` (run before starting the web processes and the
workers) fails when the database was written with another `PSEUDONYM_KEY`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.core.checks import CheckMessage, Error, Tags, register

from cpps.common.keys import key_fingerprint_problem, key_fingerprint_table_exists


@register(Tags.database)
def pseudonym_key_check(
    app_configs: Sequence[AppConfig] | None, databases: Sequence[str] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    problems: list[CheckMessage] = []
    for alias in databases or ():
        if not key_fingerprint_table_exists(using=alias):
            continue  # not migrated yet: migrate records the fingerprint
        problem = key_fingerprint_problem(using=alias)
        if problem is not None:
            problems.append(Error(problem, obj=f"database '{alias}'", id="cpps.E001"))
    return problems
