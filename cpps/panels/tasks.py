"""Background work for panels: the LEXIMIN computation (in-process when no broker is set)."""

from __future__ import annotations

from celery import shared_task

from cpps.panels.computation import panel_compute_run
from cpps.panels.models import Panel


@shared_task(name="cpps.panels.compute")  # type: ignore[untyped-decorator]  # celery is untyped
def panel_compute(process_id: int) -> str:
    """Compute and publish the lottery of one frozen panel; return its new stage."""
    panel = Panel.objects.select_related("process__jurisdiction").get(pk=process_id)
    return panel_compute_run(panel=panel).stage
