"""The audit log as open data: every event with its hashes, so anyone can re-verify the chain."""

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Router
from ninja.pagination import paginate

from cpps.audit.models import AuditEvent
from cpps.audit.schemas import AuditEventOut, ChainStatusOut
from cpps.audit.selectors import audit_chain_verify, audit_event_list
from cpps.common.api import LOOKUP, BoundedPagination, JurisdictionSlug, responses
from cpps.jurisdictions.selectors import jurisdiction_get

router = Router(tags=["audit"])


@router.get("/{slug}/audit-events", response=responses({200: list[AuditEventOut]}, *LOOKUP))
@paginate(BoundedPagination)
def list_audit_events(request: HttpRequest, slug: JurisdictionSlug) -> QuerySet[AuditEvent]:
    """Events oldest first, as they chain; at most 500 a page (`limit`), from `offset`."""
    return audit_event_list(jurisdiction=jurisdiction_get(slug=slug)).order_by("sequence")


@router.get("/{slug}/audit-events/verification", response=responses({200: ChainStatusOut}, *LOOKUP))
def verify_audit_events(request: HttpRequest, slug: JurisdictionSlug) -> ChainStatusOut:
    (report,) = audit_chain_verify(jurisdiction=jurisdiction_get(slug=slug))
    problem = report.verification.first_break
    return ChainStatusOut(
        chain=report.chain,
        events_checked=report.verification.events_checked,
        intact=report.verification.intact,
        first_bad_sequence=problem.sequence if problem else None,
        reason=problem.reason if problem else None,
    )
