"""A tamper-evident log: canonical JSON bodies linked by SHA-256 into a hash chain.

Each event's hash covers the previous event's hash, its own sequence number and its canonical
body, so altering, removing, reordering or inserting any event breaks every later link. The last
event (the chain head) is also recorded apart from the events, so dropping the newest events is
caught too. Anyone holding the published events can re-run `verify_chain`.
"""

from cpps.engines.auditchain._chain import (
    GENESIS_HASH,
    ChainBreak,
    ChainedEvent,
    ChainVerification,
    batch_digest,
    canonical_json,
    event_hash,
    link_event,
    verify_chain,
)

__all__ = [
    "GENESIS_HASH",
    "ChainBreak",
    "ChainVerification",
    "ChainedEvent",
    "batch_digest",
    "canonical_json",
    "event_hash",
    "link_event",
    "verify_chain",
]
