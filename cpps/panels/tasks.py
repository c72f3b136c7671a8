"""Background work for panels: the LEXIMIN computation (in-process when no broker is set)."""

from __future__ import annotations

from celery import shared_task

from cpps.panels.computation import panel_compute_run
from cpps.panels.models import Panel, PanelStage


@shared_task(name="cpps.panels.compute")  # type: ignore[untyped-decorator]  # celery is untyped
def panel_compute(process_id: int, attempt: int) -> str:
    """Compute and publish the lottery of one frozen panel's `attempt`; return its new stage.

    Safe to run twice (late acknowledgement redelivers the task when its worker dies): a task
    for an attempt that is no longer being computed does nothing.
    """
    panel = Panel.objects.select_related("process__jurisdiction").get(pk=process_id)
    if panel.stage != PanelStage.COMPUTING or panel.compute_attempt != attempt:
        return panel.stage
    return panel_compute_run(panel=panel).stage
