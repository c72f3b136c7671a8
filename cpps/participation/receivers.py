"""What taking part does when a process's lifecycle moves (connected in
`ParticipationConfig.ready`)."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from cpps.participation.services import one_time_links_expire
from cpps.processes.models import Process, ProcessState
from cpps.processes.signals import process_state_changed


@receiver(process_state_changed, sender=Process, dispatch_uid="participation-links-end-on-close")
def end_links_when_process_closes(*, process: Process, previous: str, **_kwargs: Any) -> None:
    """A process that stops taking part ends its unused links, so reopening it revives none."""
    if previous == ProcessState.OPEN and process.state != ProcessState.OPEN:
        one_time_links_expire(process=process)
