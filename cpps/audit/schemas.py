from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Schema


class AuditEventOut(Schema):
    sequence: int
    recorded_at: datetime
    actor_ref: str
    actor_role: str
    action: str
    object_type: str
    object_id: str
    payload: dict[str, Any]
    prev_hash: str
    hash: str


class ChainStatusOut(Schema):
    chain: str
    events_checked: int
    intact: bool
    first_bad_sequence: int | None
    reason: str | None
