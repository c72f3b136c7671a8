"""The public record as open data: officials' and the system's events in full, with their
hashes, and what residents did only as counts per day and action (never one row per act, so
nobody can tell when one resident acted)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from django.db.models import Sum
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cpps.audit.selectors import (
    RecordFilter,
    audit_day_counts,
    audit_event_list,
    latest_event_at_any,
)
from cpps.common.opendata import Column, Dataset

if TYPE_CHECKING:
    from cpps.jurisdictions.models import Jurisdiction

RESIDENT_ROLE = "resident"

EVENT_COLUMNS = (
    Column("sequence", "integer", _("Position of the event in the jurisdiction's chain")),
    Column("recorded_at", "datetime", _("When the event was recorded"), _("ISO 8601, UTC")),
    Column("actor_role", "string", _("The role the act was done in (or “system”)")),
    Column("actor_ref", "string", _("The account by number (“user:12”), or “system”")),
    Column("action", "string", _("What was done, as a code of the action registry")),
    Column("object_type", "string", _("The kind of object acted on")),
    Column("object_id", "string", _("The object's number")),
    Column("payload", "object", _("Public facts of the act (JSON)")),
    Column("prev_hash", "string", _("Hash of the event before"), _("SHA-256, hexadecimal")),
    Column("hash", "string", _("Hash of this event"), _("SHA-256, hexadecimal")),
)
DAILY_COLUMNS = (
    Column("day", "date", _("The day residents acted"), _("local date")),
    Column("action", "string", _("What residents did, as a code of the action registry")),
    Column("events", "integer", _("How many such acts that day"), _("acts")),
)


def _events(jurisdiction: Jurisdiction) -> Iterator[list[Any]]:
    events = (
        audit_event_list(jurisdiction=jurisdiction)
        .exclude(actor_role=RESIDENT_ROLE)
        .order_by("sequence")
    )
    for event in events.iterator(chunk_size=2000):
        yield [
            event.sequence,
            event.recorded_at.isoformat(),
            event.actor_role,
            event.actor_ref,
            event.action,
            event.object_type,
            event.object_id,
            event.payload,
            event.prev_hash,
            event.hash,
        ]


def _resident_acts_per_day(jurisdiction: Jurisdiction) -> Iterator[list[Any]]:
    """The day counts the record keeps as residents act (one row per day and action, the
    processes summed), oldest day first."""
    rows = (
        audit_day_counts(jurisdiction=jurisdiction, filters=RecordFilter())
        .order_by()
        .values("day", "action")
        .annotate(events=Sum("count"))
        .order_by("day", "action")
    )
    for row in rows:
        yield [row["day"].isoformat(), row["action"], row["events"]]


def record_datasets(jurisdiction: Jurisdiction) -> Sequence[Dataset]:
    updated = latest_event_at_any(jurisdiction=jurisdiction)
    source = reverse("audit:log", args=[jurisdiction.slug])
    return (
        Dataset(
            name="public-record",
            title=_("Public record: every act of officials, organisers and the system"),
            description=_(
                "Each event with the hash that chains it to the one before, as `cpps audit "
                "verify` checks them. Residents' own acts are in the next table, as counts."
            ),
            columns=EVENT_COLUMNS,
            rows=lambda: _events(jurisdiction),
            source_url=source,
            updated=updated,
        ),
        Dataset(
            name="public-record-resident-acts-per-day",
            title=_("Public record: what residents did, per day"),
            description=_(
                "Residents' ideas, statements, ratings and other acts, counted per day and "
                "kind of act, so that no row tells when one resident acted."
            ),
            columns=DAILY_COLUMNS,
            rows=lambda: _resident_acts_per_day(jurisdiction),
            source_url=source,
            updated=updated,
        ),
    )
