"""Reads for processes (public facts only; who takes part is read through participation)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.http import Http404
from django.urls import reverse

from cpps.audit.selectors import latest_event_at
from cpps.jurisdictions.models import Jurisdiction
from cpps.processes.kinds import KindStatus, ProcessKindSpec, kind_of
from cpps.processes.models import Process

if TYPE_CHECKING:
    from cpps.common.opendata import Dataset


def process_list(*, jurisdiction: Jurisdiction) -> QuerySet[Process]:
    return (
        Process.objects.filter(jurisdiction=jurisdiction)
        .select_related("jurisdiction")
        .prefetch_related("areas")
    )


def process_get(*, jurisdiction: Jurisdiction, pk: int) -> Process:
    try:
        return (
            Process.objects.select_related("jurisdiction")
            .prefetch_related("areas")
            .get(jurisdiction=jurisdiction, pk=pk)
        )
    except Process.DoesNotExist as missing:
        raise Http404(pk) from missing


def process_get_by_pk(*, pk: int) -> Process:
    try:
        return Process.objects.select_related("jurisdiction").get(pk=pk)
    except Process.DoesNotExist as missing:
        raise Http404(pk) from missing


@dataclass(frozen=True)
class ProcessCard:
    """A process as lists show it: its kind's own words for its state, and where it leads."""

    process: Process
    kind: ProcessKindSpec
    status: KindStatus
    url: str
    # The process page, when the card leads to the capability's own page instead.
    about_url: str


def process_card(process: Process) -> ProcessCard:
    kind = kind_of(process)
    details = reverse("processes:detail", args=[process.jurisdiction.slug, process.pk])
    url = kind.home_url(process) or details
    return ProcessCard(
        process=process,
        kind=kind,
        status=kind.status(process),
        url=url,
        about_url=details if url != details else "",
    )


def process_datasets(*, jurisdiction: Jurisdiction) -> list[Dataset]:
    """What every process of the jurisdiction publishes as open data now, as its kind declares
    it (oldest process first, so names and places stay put as processes are added)."""
    datasets: list[Dataset] = []
    for process in process_list(jurisdiction=jurisdiction).exclude(state="draft").order_by("pk"):
        datasets.extend(kind_of(process).datasets(process))
    return datasets


def process_updated_at(process: Process) -> datetime | None:
    """When the newest event about one process was recorded (its datasets' "last update")."""
    return latest_event_at(
        jurisdiction=process.jurisdiction, object_type="process", object_id=str(process.pk)
    )
