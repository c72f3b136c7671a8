"""Reading and checking the audit log, and the public record made of it."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.utils import timezone

from cpps.audit.actions import (
    AuditAction,
    ObjectRef,
    RecordedAct,
    audit_action,
    audit_actions,
    audit_object_resolver,
    audit_process_choices,
    audit_role_label,
    residents_acts,
)
from cpps.audit.adapters import chain_key, chain_keys, to_chained_event
from cpps.audit.models import AuditChainCheck, AuditChainHead, AuditDayCount, AuditEvent
from cpps.common.hooks import IntegrityReport
from cpps.common.opendata import PublicEvent
from cpps.engines.auditchain import ChainBreak, ChainedEvent, ChainVerification, verify_chain

if TYPE_CHECKING:
    from cpps.jurisdictions.models import Jurisdiction


def audit_event_list(
    *, jurisdiction: Jurisdiction, residents: bool = False
) -> QuerySet[AuditEvent]:
    """Return a jurisdiction's events (or its residents' acts), newest first; they are public."""
    chain = chain_key(jurisdiction.pk, residents=residents)
    return AuditEvent.objects.filter(chain=chain).order_by("-sequence")


def audit_events_for_object(
    *, jurisdiction: Jurisdiction, object_type: str, object_id: str
) -> QuerySet[AuditEvent]:
    """Return the organisational acts about one object, oldest first: its public timeline.

    Residents' acts about it (ratings of a commitment) are left out: the record counts them per
    day, and a timeline of them would tell when each resident acted."""
    return (
        audit_event_list(jurisdiction=jurisdiction)
        .filter(object_type=object_type, object_id=object_id)
        .exclude(action__in=residents_acts())
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
        if row.chain not in chain_keys(row.jurisdiction_id):
            raise _JurisdictionMismatchError(row.sequence)
        yield to_chained_event(row)


def audit_chain_verify(*, jurisdiction: Jurisdiction | None = None) -> list[ChainReport]:
    """Verify every chain (or one jurisdiction's) against the stored events and chain heads."""
    heads = {head.chain: (head.sequence, head.hash) for head in AuditChainHead.objects.all()}
    chains = set(heads) | set(AuditEvent.objects.values_list("chain", flat=True).distinct())
    if jurisdiction is not None:
        chains = set(chain_keys(jurisdiction.pk)) & chains or {chain_key(jurisdiction.pk)}
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

    labels = {}
    for pk, slug in Jurisdiction.objects.values_list("pk", "slug"):
        organisational, residents = chain_keys(pk)
        labels[organisational] = slug
        labels[residents] = f"{slug} (residents' acts)"
    return labels


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


# The public record ------------------------------------------------------------------------------


@dataclass(frozen=True)
class RecordFilter:
    """What a reader narrowed the record to; empty values narrow nothing."""

    topic: str = ""
    action: str = ""
    since: date | None = None
    until: date | None = None
    process_id: int | None = None

    def actions(self) -> list[AuditAction]:
        return [
            action
            for action in audit_actions()
            if (not self.topic or action.topic.key == self.topic)
            and (not self.action or action.name == self.action)
        ]


def _process_condition(actions: Iterable[AuditAction], process_id: int) -> Q:
    """Events that belong to one process, wherever each action keeps its process."""
    by_object = [a.name for a in actions if a.process_from == "object"]
    condition = Q(action__in=by_object, object_type="process", object_id=str(process_id))
    by_key: dict[str, list[str]] = defaultdict(list)
    for action in actions:
        if action.process_from and action.process_from != "object":
            by_key[action.process_from].append(action.name)
    for key, names in sorted(by_key.items()):
        condition |= Q(action__in=names, **{f"payload__{key}": process_id})
    return condition


def _start_of(day: date) -> datetime:
    """The first moment of a local day (the record's days are the jurisdiction's days)."""
    return timezone.make_aware(datetime.combine(day, time.min))


def audit_record_events(
    *, jurisdiction: Jurisdiction, filters: RecordFilter
) -> QuerySet[AuditEvent]:
    """The organisational acts the record lists one by one, newest first.

    Residents' acts stored before they had a chain of their own are left out here: the record
    counts them per day with every other residents' act (`audit_day_counts`).
    """
    chosen = [action for action in filters.actions() if not action.residents_act]
    events = audit_event_list(jurisdiction=jurisdiction).filter(
        action__in=[action.name for action in chosen]
    )
    if filters.since:
        events = events.filter(recorded_at__gte=_start_of(filters.since))
    if filters.until:
        events = events.filter(recorded_at__lt=_start_of(filters.until + timedelta(days=1)))
    if filters.process_id:
        events = events.filter(_process_condition(chosen, filters.process_id))
    return events


def audit_day_counts(
    *, jurisdiction: Jurisdiction, filters: RecordFilter
) -> QuerySet[AuditDayCount]:
    """Residents' acts as counts, one row per day, action and process, newest day first."""
    chosen = [action.name for action in filters.actions() if action.residents_act]
    counts = AuditDayCount.objects.filter(chain__in=chain_keys(jurisdiction.pk), action__in=chosen)
    if filters.since:
        counts = counts.filter(day__gte=filters.since)
    if filters.until:
        counts = counts.filter(day__lte=filters.until)
    if filters.process_id:
        counts = counts.filter(process_id=filters.process_id)
    return counts.order_by("-day", "action", "process_id")


@dataclass(frozen=True)
class RecordEntry:
    """One organisational act as the record shows it."""

    sequence: int
    recorded_at: datetime
    role: str
    action: str
    sentence: str
    about: ObjectRef | None
    actor_ref: str
    hash: str
    details: str  # the payload as indented JSON


@dataclass(frozen=True)
class DayEntry:
    """How many residents' acts of one kind a day holds, in one process."""

    day: date
    action: str
    sentence: str
    count: int
    process: ObjectRef | None


def pretty_json(value: object, depth: int = 0) -> str:
    """Indented JSON whose innermost lists stay on one line (a quota reads [sex, female, 13, 17]),
    so a payload stays short enough to read on a phone."""
    pad, inner_pad = "  " * depth, "  " * (depth + 1)
    if isinstance(value, dict) and value:
        items = (
            f"{inner_pad}{json.dumps(key, ensure_ascii=False)}: {pretty_json(item, depth + 1)}"
            for key, item in sorted(value.items())
        )
        return "{\n" + ",\n".join(items) + f"\n{pad}}}"
    if isinstance(value, list) and any(isinstance(item, dict | list) for item in value):
        items = (f"{inner_pad}{pretty_json(item, depth + 1)}" for item in value)
        return "[\n" + ",\n".join(items) + f"\n{pad}]"
    return json.dumps(value, ensure_ascii=False)


def _resolve(
    jurisdiction: Jurisdiction, wanted: dict[str, set[str]]
) -> dict[tuple[str, str], ObjectRef]:
    """Name and link the objects a page shows: one lookup per kind of object."""
    found: dict[tuple[str, str], ObjectRef] = {}
    for object_type, ids in wanted.items():
        resolver = audit_object_resolver(object_type)
        if resolver is None or not ids:
            continue
        for object_id, ref in resolver(jurisdiction, sorted(ids)).items():
            found[(object_type, object_id)] = ref
    return found


def audit_record_entries(
    *, jurisdiction: Jurisdiction, events: Sequence[AuditEvent]
) -> list[RecordEntry]:
    """The events a page shows, each in a sentence with its object named and linked."""
    wanted: dict[str, set[str]] = defaultdict(set)
    for event in events:
        if event.object_type:
            wanted[event.object_type].add(event.object_id)
    objects = _resolve(jurisdiction, wanted)
    entries = []
    for event in events:
        about = objects.get((event.object_type, event.object_id))
        action = audit_action(event.action)
        label = about.label if about else (f"#{event.object_id}" if event.object_id else "")
        entries.append(
            RecordEntry(
                sequence=event.sequence,
                recorded_at=event.recorded_at,
                role=str(audit_role_label(event.actor_role)),
                action=str(action.label),
                sentence=action.describe(RecordedAct(event.payload, label)),
                about=about,
                actor_ref=event.actor_ref,
                hash=event.hash,
                details=pretty_json(event.payload),
            )
        )
    return entries


def audit_day_entries(
    *, jurisdiction: Jurisdiction, counts: Sequence[AuditDayCount]
) -> list[DayEntry]:
    """Day counts in sentences ("12 residents rated commitments"), each with its process."""
    processes = _resolve(
        jurisdiction, {"process": {str(row.process_id) for row in counts if row.process_id}}
    )
    entries = []
    for row in counts:
        action = audit_action(row.action)
        entries.append(
            DayEntry(
                day=row.day,
                action=str(action.label),
                sentence=action.count_sentence(row.count),
                count=row.count,
                process=processes.get(("process", str(row.process_id))),
            )
        )
    return entries


def audit_record_process_ids(*, jurisdiction: Jurisdiction) -> list[tuple[int, str]]:
    """(id, title) of each process the record can be narrowed to, newest first."""
    return audit_process_choices(jurisdiction)


@dataclass(frozen=True)
class RecordPage:
    """One page of organisational acts, newest first, and where the pages around it start."""

    events: list[AuditEvent]
    newer_after: int | None  # ?after= for the newer page (None: this is the newest)
    older_before: int | None  # ?before= for the older page (None: nothing older)


def audit_record_page(
    events: QuerySet[AuditEvent], *, before: int | None, after: int | None, size: int
) -> RecordPage:
    """A page of events by sequence (keyset paging): reads `size` rows through the chain's
    index wherever the page is, and never counts the whole log."""
    if after is not None:
        rows = list(events.filter(sequence__gt=after).order_by("sequence")[: size + 1])
        has_newer = len(rows) > size
        rows = rows[:size][::-1]
        has_older = bool(rows) and events.filter(sequence__lt=rows[-1].sequence).exists()
    else:
        window = events.filter(sequence__lt=before) if before is not None else events
        rows = list(window[: size + 1])
        has_older = len(rows) > size
        rows = rows[:size]
        has_newer = (
            before is not None
            and bool(rows)
            and (events.filter(sequence__gt=rows[0].sequence).exists())
        )
    return RecordPage(
        events=rows,
        newer_after=rows[0].sequence if has_newer and rows else None,
        older_before=rows[-1].sequence if has_older and rows else None,
    )


@dataclass(frozen=True)
class ChainStatus:
    """What the last check of a jurisdiction's chains found, and what was added since."""

    checked_at: datetime | None
    intact: bool
    events_checked: int
    events_recorded: int
    problems: tuple[str, ...]

    @property
    def unchecked(self) -> int:
        return max(self.events_recorded - self.events_checked, 0)


def audit_chain_status(*, jurisdiction: Jurisdiction) -> ChainStatus:
    """The stored result of the last check (two small reads): pages never walk the chain."""
    keys = chain_keys(jurisdiction.pk)
    checks = list(AuditChainCheck.objects.filter(chain__in=keys))
    recorded = sum(AuditChainHead.objects.filter(chain__in=keys).values_list("sequence", flat=True))
    if not checks:
        return ChainStatus(None, True, 0, recorded, ())
    problems = tuple(
        f"#{check.first_bad_sequence}: {check.reason}" for check in checks if not check.intact
    )
    return ChainStatus(
        checked_at=min(check.checked_at for check in checks),
        intact=not problems,
        events_checked=sum(check.events_checked for check in checks),
        events_recorded=recorded,
        problems=problems,
    )


# What publishing reads ----------------------------------------------------------------------------


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
