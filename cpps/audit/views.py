"""The public record: every audit event of a jurisdiction, and whether the chain is intact."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from cpps.audit.adapters import chain_key
from cpps.audit.models import AuditChainHead
from cpps.audit.selectors import audit_event_list
from cpps.jurisdictions.selectors import jurisdiction_get

EVENTS_PER_PAGE = 50


@require_safe
def audit_log(request: HttpRequest, slug: str) -> HttpResponse:
    jurisdiction = jurisdiction_get(slug=slug)
    page = Paginator(audit_event_list(jurisdiction=jurisdiction), EVENTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    context = {
        "jurisdiction": jurisdiction,
        "page": page,
        "head": AuditChainHead.objects.filter(chain=chain_key(jurisdiction.pk)).first(),
    }
    return render(request, "audit/log.html", context)
