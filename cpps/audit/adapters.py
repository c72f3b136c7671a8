"""The bridge between stored audit rows and the `auditchain` engine."""

from __future__ import annotations

from datetime import UTC
from typing import Any

from cpps.audit.models import AuditEvent
from cpps.engines.auditchain import ChainedEvent

GLOBAL_CHAIN = "global"
RESIDENTS_SUFFIX = ":residents"


def chain_key(jurisdiction_id: int | None, *, residents: bool = False) -> str:
    """Name the chain that events of a jurisdiction (or of no jurisdiction) belong to.

    Residents' own acts go to a chain of their own, stored with the day only: interleaved with
    organisational acts timed to the second, their place in one chain would tell when each
    resident acted.
    """
    key = GLOBAL_CHAIN if jurisdiction_id is None else f"jurisdiction:{jurisdiction_id}"
    return key + RESIDENTS_SUFFIX if residents else key


def chain_keys(jurisdiction_id: int | None) -> tuple[str, str]:
    """A jurisdiction's two chains: organisational acts, then residents' acts."""
    return chain_key(jurisdiction_id), chain_key(jurisdiction_id, residents=True)


def event_body(event: AuditEvent) -> dict[str, Any]:
    """Return the part of a stored event that its hash covers."""
    return {
        "chain": event.chain,
        "recorded_at": event.recorded_at.astimezone(UTC).isoformat(),
        "actor_ref": event.actor_ref,
        "actor_role": event.actor_role,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "payload": event.payload,
    }


def to_chained_event(event: AuditEvent) -> ChainedEvent:
    """Turn a stored row into the engine's view of it."""
    return ChainedEvent(
        sequence=event.sequence, body=event_body(event), prev_hash=event.prev_hash, hash=event.hash
    )
