from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ninja import Schema

from cpps.audit.actions import audit_action
from cpps.audit.models import AuditEvent


class AuditEventOut(Schema):
    sequence: int
    # Null for a residents' act stored among organisational acts (before they had a chain of
    # their own): its time would tell when one resident acted.
    recorded_at: datetime | None
    actor_ref: str
    actor_role: str
    action: str
    object_type: str
    object_id: str
    payload: dict[str, Any]
    prev_hash: str
    hash: str

    @staticmethod
    def resolve_recorded_at(event: AuditEvent) -> datetime | None:
        if event.chain.endswith(":residents") or not audit_action(event.action).residents_act:
            return event.recorded_at
        return None


class DayCountOut(Schema):
    day: date
    action: str
    process_id: int
    count: int


class ChainStatusOut(Schema):
    # When the chains were last verified (null: not yet); events added since are not covered.
    checked_at: datetime | None
    events_checked: int
    events_recorded: int
    intact: bool
    # Each broken chain's first bad entry and why, in the words of `cpps audit verify`.
    problems: list[str]
