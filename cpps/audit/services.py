"""Writing to the audit log. Services call `audit_event_record` inside their own transaction, so
an act and its audit event are stored together or not at all."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import models, transaction
from django.utils import timezone

from cpps.audit.adapters import chain_key, event_body
from cpps.audit.models import AuditChainHead, AuditEvent
from cpps.engines.auditchain import GENESIS_HASH, canonical_json, event_hash

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser

    from cpps.jurisdictions.models import Jurisdiction


@dataclass(frozen=True)
class Actor:
    """Who did something, as the public audit log shows it: a reference and the role acted in.

    References name accounts by number only ("user:12"); residents appear by pseudonym prefix.
    """

    ref: str
    role: str

    @classmethod
    def for_user(cls, user: AbstractBaseUser | AnonymousUser, role: str) -> Actor:
        return cls(ref=f"user:{user.pk}", role=str(role))


SYSTEM = Actor(ref="system", role="system")


def text_digest(*texts: str) -> str:
    """A SHA-256 digest standing in the public log for text a resident wrote: the log may never
    publish their words, yet anyone holding the text can check it is the one moderated."""
    return hashlib.sha256("\x1f".join(texts).encode("utf-8")).hexdigest()


def audit_event_record(
    *,
    jurisdiction: Jurisdiction | None,
    actor: Actor,
    action: str,
    target: models.Model | None = None,
    payload: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the jurisdiction's chain (or the global chain) and return it.

    Payloads must hold public facts only (ids, states, counts), never personal data: the log is
    published in full.
    """
    content = payload or {}
    canonical_json(content)  # refuse values with no canonical form before anything is written
    key = chain_key(jurisdiction.pk if jurisdiction else None)
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(
            chain=key, defaults={"sequence": 0, "hash": GENESIS_HASH}
        )
        event = AuditEvent(
            chain=key,
            jurisdiction=jurisdiction,
            sequence=head.sequence + 1,
            recorded_at=timezone.now(),
            actor_ref=actor.ref,
            actor_role=actor.role,
            action=action,
            object_type=(target._meta.model_name or "") if target is not None else "",
            object_id=str(target.pk) if target is not None else "",
            payload=content,
            prev_hash=head.hash,
        )
        event.hash = event_hash(
            prev_hash=event.prev_hash, sequence=event.sequence, body=event_body(event)
        )
        event.save()
        head.sequence = event.sequence
        head.hash = event.hash
        head.save(update_fields=["sequence", "hash"])
    return event
