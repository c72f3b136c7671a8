"""Feed entries for processes: a process closing (surveys publish their results then) and a
process's results being published, in each kind's own words and linking to its results."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from django.utils.translation import gettext as _

from cpps.common.opendata import Announcement, PublicEvent
from cpps.processes.kinds import UnknownKindError, kind_of
from cpps.processes.models import Process, ProcessState

if TYPE_CHECKING:
    from cpps.jurisdictions.models import Jurisdiction

STATE_CHANGED = "process.state_changed"


def _results_url(process: Process) -> str:
    kind = kind_of(process)
    links = [link for link in kind.links(process, AnonymousUser()) if link.purpose == "results"]
    if links:
        return links[0].url
    return kind.home_url(process) or reverse(
        "processes:detail", args=[process.jurisdiction.slug, process.pk]
    )


def process_announcements(
    jurisdiction: Jurisdiction, events: Sequence[PublicEvent]
) -> list[Announcement]:
    wanted = [
        event
        for event in events
        if event.payload.get("to") in {ProcessState.CLOSED, ProcessState.PUBLISHED}
        and event.object_id.isdigit()
    ]
    processes = Process.objects.select_related("jurisdiction").in_bulk(
        [int(event.object_id) for event in wanted]
    )
    entries = []
    for event in wanted:
        process = processes.get(int(event.object_id))
        if process is None or process.jurisdiction_id != jurisdiction.pk:
            continue
        try:
            kind = kind_of(process)
            url = _results_url(process)
        except UnknownKindError:
            continue
        if event.payload["to"] == ProcessState.PUBLISHED:
            text = _("Results published: %(title)s (%(kind)s)")
        else:
            text = _("Closed: %(title)s (%(kind)s)")
        entries.append(
            Announcement(
                key=f"event-{event.sequence}",
                title=text % {"title": process.title, "kind": kind.label},
                url=url,
                updated=event.recorded_at,
            )
        )
    return entries
