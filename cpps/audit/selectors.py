"""Reading and checking the audit log."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import QuerySet

from cpps.audit.adapters import chain_key, to_chained_event
from cpps.audit.models import AuditChainHead, AuditEvent
from cpps.common.hooks import IntegrityReport
from cpps.common.opendata import PublicEvent
from cpps.engines.auditchain import ChainBreak, ChainedEvent, ChainVerification, verify_chain

if TYPE_CHECKING:
    from datetime import datetime

    from cpps.jurisdictions.models import Jurisdiction


def audit_event_list(*, jurisdiction: Jurisdiction) -> QuerySet[AuditEvent]:
    """Return a jurisdiction's events, newest first (they are public)."""
    return AuditEvent.objects.filter(chain=chain_key(jurisdiction.pk)).order_by("-sequence")


def audit_events_for_object(
    *, jurisdiction: Jurisdiction, object_type: str, object_id: str
) -> QuerySet[AuditEvent]:
    """Return the events about one object, oldest first: its public timeline."""
    return (
        audit_event_list(jurisdiction=jurisdiction)
        .filter(object_type=object_type, object_id=object_id)
        .order_by("sequence")
    )


@dataclass(frozen=True)
class ChainReport:
    """The verification outcome for one chain."""

    chain: str
    verification: ChainVerification


class _JurisdictionMismatchError(Exception):
    def __init__(self, sequence: int) -> None:
        self.sequence = sequence


def _checked_events(chain: str) -> Iterator[ChainedEvent]:
    rows = AuditEvent.objects.filter(chain=chain).order_by("sequence").iterator(chunk_size=2000)
    for row in rows:
        if chain_key(row.jurisdiction_id) != row.chain:
            raise _JurisdictionMismatchError(row.sequence)
        yield to_chained_event(row)


def audit_chain_verify(*, jurisdiction: Jurisdiction | None = None) -> list[ChainReport]:
    """Verify every chain (or one jurisdiction's) against the stored events and chain heads."""
    heads = {head.chain: (head.sequence, head.hash) for head in AuditChainHead.objects.all()}
    chains = set(heads) | set(AuditEvent.objects.values_list("chain", flat=True).distinct())
    if jurisdiction is not None:
        chains = {chain_key(jurisdiction.pk)}
    reports = []
    for chain in sorted(chains):
        head = heads.get(chain)
        try:
            verification = verify_chain(_checked_events(chain), head=head)
        except _JurisdictionMismatchError as mismatch:
            verification = ChainVerification(
                mismatch.sequence - 1,
                ChainBreak(mismatch.sequence, "its jurisdiction was changed after it was recorded"),
            )
        if head is None and verification.events_checked and verification.intact:
            verification = ChainVerification(
                verification.events_checked, ChainBreak(1, "the chain head record is missing")
            )
        reports.append(ChainReport(chain, verification))
    return reports


def chain_labels() -> dict[str, str]:
    """Each jurisdiction's chain key with the jurisdiction's short name, for people to read."""
    from cpps.jurisdictions.models import Jurisdiction  # noqa: PLC0415 - a peer app's model

    return {chain_key(pk): slug for pk, slug in Jurisdiction.objects.values_list("pk", "slug")}


def chain_report_text(report: ChainReport, labels: dict[str, str]) -> str:
    label = labels.get(report.chain, report.chain)
    problem = report.verification.first_break
    if problem is None:
        return f"{label}: intact ({report.verification.events_checked} events)"
    return f"{label}: event #{problem.sequence} is bad: {problem.reason}"


def audit_chains_integrity() -> IntegrityReport:
    """Every chain checked, as an operator's report (`cpps audit verify`, `cpps restore`)."""
    reports = audit_chain_verify()
    labels = chain_labels()
    return IntegrityReport(
        subject="audit chains",
        checked=len(reports),
        problems=tuple(
            chain_report_text(report, labels)
            for report in reports
            if not report.verification.intact
        ),
    )


def latest_event_at(
    *, jurisdiction: Jurisdiction, object_type: str, object_id: str = ""
) -> datetime | None:
    """When the newest event about an object (or any object of that type) was recorded: the
    "last update" the open-data catalogue shows."""
    events = audit_event_list(jurisdiction=jurisdiction).filter(object_type=object_type)
    if object_id:
        events = events.filter(object_id=object_id)
    return events.values_list("recorded_at", flat=True).first()


def latest_event_at_any(*, jurisdiction: Jurisdiction) -> datetime | None:
    return audit_event_list(jurisdiction=jurisdiction).values_list("recorded_at", flat=True).first()


def public_events(
    *, jurisdiction: Jurisdiction, actions: Iterable[str], limit: int
) -> list[PublicEvent]:
    """The newest events of these actions (newest first), as public facts for the feeds;
    never a resident's own act, whatever the action."""
    rows = (
        audit_event_list(jurisdiction=jurisdiction)
        .filter(action__in=list(actions))
        .exclude(actor_role="resident")[:limit]
    )
    return [
        PublicEvent(
            sequence=row.sequence,
            recorded_at=row.recorded_at,
            action=row.action,
            object_type=row.object_type,
            object_id=row.object_id,
            payload=row.payload,
        )
        for row in rows
    ]
