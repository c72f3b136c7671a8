"""Reads for memberships and the role requests waiting for a community role's approval."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from cpps.accounts.models import Membership, MembershipRequest, RequestState
from cpps.jurisdictions.models import Jurisdiction


def membership_list(*, jurisdiction: Jurisdiction) -> QuerySet[Membership]:
    return Membership.objects.filter(jurisdiction=jurisdiction).select_related("user")


def membership_requests_pending(*, jurisdiction: Jurisdiction) -> QuerySet[MembershipRequest]:
    return MembershipRequest.objects.filter(
        jurisdiction=jurisdiction, state=RequestState.PENDING
    ).select_related("user", "requested_by")


def membership_request_get(*, jurisdiction: Jurisdiction, pk: int) -> MembershipRequest:
    """A waiting request of this jurisdiction (404 for any other)."""
    return get_object_or_404(membership_requests_pending(jurisdiction=jurisdiction), pk=pk)
