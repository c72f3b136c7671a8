"""Reads for processes. Participant-level data is only returned to roles allowed to see it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Count, QuerySet
from django.http import Http404

from cpps.accounts.policy import Action, require
from cpps.processes.models import Participant, Process

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from cpps.accounts.models import User
    from cpps.jurisdictions.models import Jurisdiction


def process_list(*, jurisdiction: Jurisdiction) -> QuerySet[Process]:
    return (
        Process.objects.filter(jurisdiction=jurisdiction)
        .annotate(participant_count=Count("participants"))
        .prefetch_related("areas")
    )


def process_get(*, jurisdiction: Jurisdiction, pk: int) -> Process:
    try:
        return Process.objects.prefetch_related("areas").get(jurisdiction=jurisdiction, pk=pk)
    except Process.DoesNotExist as missing:
        raise Http404(pk) from missing


def participant_count(*, process: Process) -> int:
    return Participant.objects.filter(process=process).count()


def participant_list_for_facilitator(
    *, user: User | AnonymousUser, process: Process
) -> QuerySet[Participant]:
    """Return participants with their self-reported answers; facilitators only."""
    require(user, Action.VIEW_PERSONAL_DATA, process.jurisdiction)
    return Participant.objects.filter(process=process).order_by("joined_at")
