"""Public pages of jurisdictions and areas, and membership management."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from cpps.accounts.models import Membership, Role, User
from cpps.accounts.policy import Action, can, needs_community_approval, require
from cpps.accounts.selectors import (
    membership_list,
    membership_request_get,
    membership_requests_pending,
)
from cpps.accounts.services import (
    membership_grant,
    membership_request,
    membership_request_approve,
    membership_request_refuse,
    membership_revoke,
)
from cpps.common.errors import InvalidInputError
from cpps.jurisdictions import selectors
from cpps.jurisdictions.forms import MembershipGrantForm
from cpps.jurisdictions.models import Jurisdiction


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request, "jurisdictions/index.html", {"jurisdictions": selectors.jurisdiction_list()}
    )


@require_safe
def area_detail(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    jurisdiction = selectors.jurisdiction_get(slug=slug)
    area = selectors.area_get(jurisdiction=jurisdiction, code=code)
    context = {
        "jurisdiction": jurisdiction,
        "area": area,
        "census": selectors.area_census(area=area),
    }
    return render(request, "jurisdictions/area_detail.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
def members(request: HttpRequest, slug: str) -> HttpResponse:
    """Who holds which role. Administrators give roles (those with a say in content as requests);
    facilitators and council members approve or refuse the requests."""
    jurisdiction = selectors.jurisdiction_get(slug=slug)
    manages = can(request.user, Action.MANAGE_MEMBERSHIPS, jurisdiction)
    approves = can(request.user, Action.APPROVE_MEMBERSHIPS, jurisdiction)
    if not approves or request.method == "POST":
        require(request.user, Action.MANAGE_MEMBERSHIPS, jurisdiction)
    form = MembershipGrantForm(request.POST or None) if manages else None
    if form is not None and request.method == "POST" and form.is_valid():
        done = _give_role(request, jurisdiction, form)
        if done is not None:
            messages.success(request, done)
            return redirect("jurisdictions:members", slug=slug)
    pending = [
        (waiting, approves and request.user.pk not in {waiting.user_id, waiting.requested_by_id})
        for waiting in membership_requests_pending(jurisdiction=jurisdiction)
    ]
    context = {
        "jurisdiction": jurisdiction,
        "form": form,
        "memberships": membership_list(jurisdiction=jurisdiction),
        "pending": pending,
        "manages": manages,
    }
    status = 400 if form is not None and form.errors else 200
    return render(request, "jurisdictions/members.html", context, status=status)


def _give_role(
    request: HttpRequest, jurisdiction: Jurisdiction, form: MembershipGrantForm
) -> str | None:
    """Give or request the role; return the message to show, or None with errors on the form."""
    user = User.objects.filter(username=form.cleaned_data["username"]).first()
    if user is None:
        form.add_error("username", _("No account has this user name."))
        return None
    role = Role(form.cleaned_data["role"])
    try:
        if needs_community_approval(role):
            membership_request(
                requested_by=request.user, jurisdiction=jurisdiction, user=user, role=role
            )
            return _(
                "Role requested: it takes effect when a facilitator or council member of this "
                "jurisdiction approves it."
            )
        membership_grant(granted_by=request.user, jurisdiction=jurisdiction, user=user, role=role)
    except InvalidInputError as error:
        form.add_error(None, str(error))
        return None
    return _("Role granted.")


@require_POST
def membership_revoke_view(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    jurisdiction = selectors.jurisdiction_get(slug=slug)
    require(request.user, Action.MANAGE_MEMBERSHIPS, jurisdiction)
    membership = get_object_or_404(Membership, pk=pk, jurisdiction=jurisdiction)
    membership_revoke(revoked_by=request.user, membership=membership)
    messages.success(request, _("Role removed."))
    return redirect("jurisdictions:members", slug=slug)


@require_POST
def membership_request_approve_view(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    jurisdiction = selectors.jurisdiction_get(slug=slug)
    waiting = membership_request_get(jurisdiction=jurisdiction, pk=pk)
    membership_request_approve(approved_by=request.user, request=waiting)
    messages.success(request, _("Role approved and given."))
    return redirect("jurisdictions:members", slug=slug)


@require_POST
def membership_request_refuse_view(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    jurisdiction = selectors.jurisdiction_get(slug=slug)
    waiting = membership_request_get(jurisdiction=jurisdiction, pk=pk)
    membership_request_refuse(refused_by=request.user, request=waiting)
    messages.success(request, _("Role request refused."))
    return redirect("jurisdictions:members", slug=slug)
