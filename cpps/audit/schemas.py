from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ninja import Schema

from cpps.audit.actions import audit_action
from cpps.audit.adapters import RESIDENTS_SUFFIX, event_body
from cpps.audit.models import AuditEvent


class AuditEventOut(Schema):
    """One event with everything its hash covers, each value exactly as hashed, so anyone can
    recompute the chain from this JSON alone (see `cpps.engines.auditchain`)."""

    chain: str
    sequence: int
    # The UTC ISO 8601 text the hash covers (to the microsecond; a JSON date would round it).
    # Null for a residents' act stored among organisational acts (before they had a chain of
    # their own): its time would tell when one resident acted.
    recorded_at: str | None
    actor_ref: str
    actor_role: str
    action: str
    object_type: str
    object_id: str
    payload: dict[str, Any]
    prev_hash: str
    hash: str

    @staticmethod
    def resolve_recorded_at(event: AuditEvent) -> str | None:
        if event.chain.endswith(RESIDENTS_SUFFIX) or not audit_action(event.action).residents_act:
            return str(event_body(event)["recorded_at"])
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
