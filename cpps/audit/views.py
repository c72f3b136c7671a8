"""The public record: organisational acts one by one, residents' acts counted per day, and when
the chains were last verified."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from cpps.audit.forms import RecordFilterForm
from cpps.audit.selectors import (
    audit_chain_status,
    audit_day_counts,
    audit_day_entries,
    audit_record_entries,
    audit_record_events,
    audit_record_page,
    audit_record_process_ids,
)
from cpps.jurisdictions.selectors import jurisdiction_get

EVENTS_PER_PAGE = 50
DAYS_PER_PAGE = 30


def _query_without(request: HttpRequest, *names: str) -> str:
    """The current filter as a query string without the paging parameters, for paging links."""
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


def _sequence(request: HttpRequest, name: str) -> int | None:
    """A paging position from the query string; anything but a sequence number means none."""
    value = request.GET.get(name, "")
    return int(value) if value.isdigit() and len(value) < 19 else None


@require_safe
def audit_log(request: HttpRequest, slug: str) -> HttpResponse:
    jurisdiction = jurisdiction_get(slug=slug)
    form = RecordFilterForm(
        request.GET or None, processes=audit_record_process_ids(jurisdiction=jurisdiction)
    )
    filters = form.record_filter()
    page = audit_record_page(
        audit_record_events(jurisdiction=jurisdiction, filters=filters),
        before=_sequence(request, "before"),
        after=_sequence(request, "after"),
        size=EVENTS_PER_PAGE,
    )
    days = Paginator(
        audit_day_counts(jurisdiction=jurisdiction, filters=filters), DAYS_PER_PAGE
    ).get_page(request.GET.get("days"))
    context = {
        "jurisdiction": jurisdiction,
        "form": form,
        "page": page,
        "entries": audit_record_entries(jurisdiction=jurisdiction, events=page.events),
        "days": days,
        "day_entries": audit_day_entries(jurisdiction=jurisdiction, counts=list(days.object_list)),
        "status": audit_chain_status(jurisdiction=jurisdiction),
        "page_query": _query_without(request, "before", "after"),
        "days_query": _query_without(request, "days"),
    }
    return render(request, "audit/log.html", context)
