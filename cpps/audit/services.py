"""Writing to the audit log. Services call `audit_event_record` inside their own transaction, so
an act and its audit event are stored together or not at all."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, time
from typing import TYPE_CHECKING, Any

from django.db import models, transaction
from django.db.models import F
from django.utils import timezone

from cpps.audit.actions import audit_action
from cpps.audit.adapters import chain_key, event_body
from cpps.audit.models import AuditChainCheck, AuditChainHead, AuditDayCount, AuditEvent
from cpps.audit.selectors import ChainReport, audit_chain_verify
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
    published in full. A residents' act (see `cpps.audit.actions`) goes to the residents' chain
    and keeps the day only.

    Raises:
        UnregisteredAuditActionError: the action has no registered sentence.
    """
    registered = audit_action(action)
    residents_act = registered.residents_act
    content = payload or {}
    canonical_json(content)  # refuse values with no canonical form before anything is written
    key = chain_key(jurisdiction.pk if jurisdiction else None, residents=residents_act)
    now = timezone.now()
    if residents_act:
        now = timezone.make_aware(datetime.combine(timezone.localdate(now), time.min))
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(
            chain=key, defaults={"sequence": 0, "hash": GENESIS_HASH}
        )
        event = AuditEvent(
            chain=key,
            jurisdiction=jurisdiction,
            sequence=head.sequence + 1,
            recorded_at=now,
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
        if residents_act:
            _day_count_add(event, registered.process_of(**_object_of(event)))
    return event


def _object_of(event: AuditEvent) -> dict[str, Any]:
    return {
        "object_type": event.object_type,
        "object_id": event.object_id,
        "payload": event.payload,
    }


def _day_count_add(event: AuditEvent, process_id: int) -> None:
    """Count a residents' act on its day; the chain head's lock, held here, orders the writes."""
    key = {
        "chain": event.chain,
        "day": timezone.localdate(event.recorded_at),
        "action": event.action,
        "process_id": process_id,
    }
    counted = AuditDayCount.objects.filter(**key).update(count=F("count") + 1)
    if not counted:
        AuditDayCount.objects.create(**key, count=1)


def audit_chains_check(*, jurisdiction: Jurisdiction | None = None) -> list[ChainReport]:
    """Verify every chain (or one jurisdiction's) and keep what was found, for pages to show.

    Run by a periodic task and by `cpps audit verify`; the walk is over every stored event, so
    no page view runs it.
    """
    reports = audit_chain_verify(jurisdiction=jurisdiction)
    now = timezone.now()
    for report in reports:
        problem = report.verification.first_break
        AuditChainCheck.objects.update_or_create(
            chain=report.chain,
            defaults={
                "checked_at": now,
                "events_checked": report.verification.events_checked,
                "intact": problem is None,
                "first_bad_sequence": problem.sequence if problem else None,
                "reason": problem.reason[:200] if problem else "",
            },
        )
    return reports
