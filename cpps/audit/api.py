"""The audit log as open data: every event with its hashes, so anyone can re-verify the chain."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Router
from ninja.pagination import LimitOffsetPagination, paginate

from cpps.audit.models import AuditEvent
from cpps.audit.schemas import AuditEventOut, ChainStatusOut
from cpps.audit.selectors import audit_chain_verify, audit_event_list
from cpps.jurisdictions.selectors import jurisdiction_get

router = Router(tags=["audit"])


@router.get("/{slug}/audit-events", response=list[AuditEventOut])
@paginate(LimitOffsetPagination)
def list_audit_events(request: HttpRequest, slug: str) -> QuerySet[AuditEvent]:
    """Events oldest first, as they chain."""
    return audit_event_list(jurisdiction=jurisdiction_get(slug=slug)).order_by("sequence")


@router.get("/{slug}/audit-events/verification", response=ChainStatusOut)
def verify_audit_events(request: HttpRequest, slug: str) -> ChainStatusOut:
    (report,) = audit_chain_verify(jurisdiction=jurisdiction_get(slug=slug))
    problem = report.verification.first_break
    return ChainStatusOut(
        chain=report.chain,
        events_checked=report.verification.events_checked,
        intact=report.verification.intact,
        first_bad_sequence=problem.sequence if problem else None,
        reason=problem.reason if problem else None,
    )
