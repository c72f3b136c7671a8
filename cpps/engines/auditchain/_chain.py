from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from cpps.engines.errors import EngineError

GENESIS_HASH = "0" * 64


class NonCanonicalValueError(EngineError):
    """A value that has no single canonical JSON form (NaN, infinity, non-string keys)."""


def _reject_non_canonical(value: Any, path: str) -> None:
    if isinstance(value, float) and not math.isfinite(value):
        raise NonCanonicalValueError(f"{path}: {value!r} has no canonical JSON form.")
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                raise NonCanonicalValueError(f"{path}: key {key!r} is not a string.")
            _reject_non_canonical(item, f"{path}.{key}")
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _reject_non_canonical(item, f"{path}[{index}]")


def canonical_json(value: Any) -> bytes:
    """Encode `value` as canonical JSON: sorted keys, no spaces, UTF-8, finite numbers only.

    Two machines that hold equal values produce the same bytes, which is what makes the hashes
    reproducible by anyone.
    """
    _reject_non_canonical(value, "$")
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.encode("utf-8")


def event_hash(*, prev_hash: str, sequence: int, body: Mapping[str, Any]) -> str:
    """Return the SHA-256 hex digest that links an event body into its chain."""
    envelope = {"prev_hash": prev_hash, "sequence": sequence, "body": dict(body)}
    return hashlib.sha256(canonical_json(envelope)).hexdigest()


@dataclass(frozen=True)
class ChainedEvent:
    """One event as stored: its position, its body and the two hashes that chain it."""

    sequence: int
    body: Mapping[str, Any]
    prev_hash: str
    hash: str


def link_event(*, head: ChainedEvent | None, body: Mapping[str, Any]) -> ChainedEvent:
    """Append `body` after `head` (None for an empty chain) and return the chained event."""
    sequence = 1 if head is None else head.sequence + 1
    prev_hash = GENESIS_HASH if head is None else head.hash
    return ChainedEvent(
        sequence=sequence,
        body=body,
        prev_hash=prev_hash,
        hash=event_hash(prev_hash=prev_hash, sequence=sequence, body=body),
    )


@dataclass(frozen=True)
class ChainBreak:
    """Where a chain stops being trustworthy and why."""

    sequence: int
    reason: str


@dataclass(frozen=True)
class ChainVerification:
    """The outcome of checking a chain: how many events were checked and the first break."""

    events_checked: int
    first_break: ChainBreak | None

    @property
    def intact(self) -> bool:
        return self.first_break is None


def verify_chain(
    events: Iterable[ChainedEvent], *, head: tuple[int, str] | None = None
) -> ChainVerification:
    """Check events in sequence order; report the first altered, missing or extra event.

    Args:
        events: the stored events, ordered by sequence.
        head: the recorded (sequence, hash) of the newest event, if one is kept apart from the
            events; without it, removing the newest events cannot be detected.
    """
    expected_sequence = 1
    expected_prev = GENESIS_HASH
    checked = 0
    for event in events:
        problem = _first_problem(event, expected_sequence, expected_prev)
        if problem is not None:
            return ChainVerification(checked, problem)
        checked += 1
        expected_sequence += 1
        expected_prev = event.hash
    last_sequence = expected_sequence - 1
    if head is not None and head != (last_sequence, expected_prev):
        head_sequence, _ = head
        if head_sequence > last_sequence:
            reason = f"events {last_sequence + 1} to {head_sequence} are missing"
        else:
            reason = "the newest event does not match the recorded chain head"
        return ChainVerification(checked, ChainBreak(last_sequence + 1, reason))
    return ChainVerification(checked, None)


def _first_problem(
    event: ChainedEvent, expected_sequence: int, expected_prev: str
) -> ChainBreak | None:
    if event.sequence > expected_sequence:
        return ChainBreak(expected_sequence, f"event {expected_sequence} is missing")
    if event.sequence < expected_sequence:
        return ChainBreak(event.sequence, f"event {event.sequence} is out of order or duplicated")
    if event.prev_hash != expected_prev:
        return ChainBreak(event.sequence, "its link to the previous event does not match")
    recomputed = event_hash(prev_hash=event.prev_hash, sequence=event.sequence, body=event.body)
    if recomputed != event.hash:
        return ChainBreak(event.sequence, "its content was altered after it was recorded")
    return None


def batch_digest(records: Iterable[Mapping[str, Any]]) -> str:
    """Return one SHA-256 hex digest over many records, in the order given.

    A batch of records too numerous (or too private) to be audit events each is sealed by one
    event that carries this digest: recomputing it from the stored records shows whether any was
    altered, added or removed since. Each record is length-prefixed so no two different batches
    can produce the same byte stream.
    """
    digest = hashlib.sha256()
    for record in records:
        encoded = canonical_json(dict(record))
        digest.update(len(encoded).to_bytes(8, "big"))
        digest.update(encoded)
    return digest.hexdigest()
