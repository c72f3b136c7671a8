"""The audit log as open data: every event with its hashes, so anyone can re-verify the chains.

A jurisdiction keeps two chains. Organisational acts carry their time. Residents' own acts (a
rating, an idea, a registration) are stored with the day only, in a chain of their own, so
neither their times nor their place among timed acts tells when one resident acted; anyone can
still recompute every hash of both chains from what these endpoints return.
"""

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Router
from ninja.pagination import paginate

from cpps.audit.models import AuditDayCount, AuditEvent
from cpps.audit.schemas import AuditEventOut, ChainStatusOut, DayCountOut
from cpps.audit.selectors import (
    RecordFilter,
    audit_chain_status,
    audit_day_counts,
    audit_event_list,
)
from cpps.common.api import LOOKUP, BoundedPagination, JurisdictionSlug, responses
from cpps.jurisdictions.selectors import jurisdiction_get

router = Router(tags=["audit"])


@router.get("/{slug}/audit-events", response=responses({200: list[AuditEventOut]}, *LOOKUP))
@paginate(BoundedPagination)
def list_audit_events(request: HttpRequest, slug: JurisdictionSlug) -> QuerySet[AuditEvent]:
    """Organisational acts oldest first, as they chain; at most 500 a page (`limit`), from
    `offset`. A residents' act recorded before residents' acts had a chain of their own shows
    its hashes but not its time (`recorded_at` is null)."""
    return audit_event_list(jurisdiction=jurisdiction_get(slug=slug)).order_by("sequence")


@router.get(
    "/{slug}/audit-events/residents", response=responses({200: list[AuditEventOut]}, *LOOKUP)
)
@paginate(BoundedPagination)
def list_residents_audit_events(
    request: HttpRequest, slug: JurisdictionSlug
) -> QuerySet[AuditEvent]:
    """Residents' acts oldest first, as they chain, each recorded with its day only
    (`recorded_at` is that day's midnight, and it is what the hash covers)."""
    jurisdiction = jurisdiction_get(slug=slug)
    return audit_event_list(jurisdiction=jurisdiction, residents=True).order_by("sequence")


@router.get(
    "/{slug}/audit-events/daily-counts", response=responses({200: list[DayCountOut]}, *LOOKUP)
)
@paginate(BoundedPagination)
def list_audit_day_counts(request: HttpRequest, slug: JurisdictionSlug) -> QuerySet[AuditDayCount]:
    """Residents' acts counted per day, action and process (`process_id` 0: none), newest
    day first: what the public record shows in their place."""
    return audit_day_counts(jurisdiction=jurisdiction_get(slug=slug), filters=RecordFilter())


@router.get("/{slug}/audit-events/verification", response=responses({200: ChainStatusOut}, *LOOKUP))
def verify_audit_events(request: HttpRequest, slug: JurisdictionSlug) -> ChainStatusOut:
    """The last check of the jurisdiction's chains (run every hour and by `cpps audit verify`),
    not a new walk of every event: recompute the hashes yourself from the events above."""
    status = audit_chain_status(jurisdiction=jurisdiction_get(slug=slug))
    return ChainStatusOut(
        checked_at=status.checked_at,
        events_checked=status.events_checked,
        events_recorded=status.events_recorded,
        intact=status.intact,
        problems=list(status.problems),
    )
