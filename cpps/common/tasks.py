"""Background work shared by the apps: the watchdog that returns stuck work to a state its user
can retry."""

from __future__ import annotations

from celery import shared_task

from cpps.common.watchdog import stuck_work_recover


@shared_task(name="cpps.common.watchdog")  # type: ignore[untyped-decorator]  # celery is untyped
def watchdog() -> dict[str, int]:
    """Return work stuck past its time limit to a state its user can retry; how much per kind."""
    return stuck_work_recover()
