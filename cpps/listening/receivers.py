"""What surveys do when other apps act on them (connected in `ListeningConfig.ready`)."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from cpps.listening.models import SURVEY_KIND
from cpps.listening.services import responses_seal
from cpps.processes.models import Process, ProcessState
from cpps.processes.signals import process_state_changed


@receiver(process_state_changed, sender=Process, dispatch_uid="listening-seal-on-close")
def seal_when_survey_closes(*, process: Process, previous: str, **_kwargs: Any) -> None:
    """A survey that stops taking answers has every answer it took sealed at that moment."""
    if process.kind == SURVEY_KIND and previous == ProcessState.OPEN:
        responses_seal(process=process)
