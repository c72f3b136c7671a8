"""Public pages of jurisdictions and areas, and membership management."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from cpps.accounts.models import Membership, User
from cpps.accounts.policy import Action, require
from cpps.accounts.services import membership_grant, membership_revoke
from cpps.common.errors import InvalidInputError
from cpps.jurisdictions import selectors
from cpps.jurisdictions.forms import MembershipGrantForm


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
    jurisdiction = selectors.jurisdiction_get(slug=slug)
    require(request.user, Action.MANAGE_MEMBERSHIPS, jurisdiction)
    form = MembershipGrantForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = User.objects.filter(username=form.cleaned_data["username"]).first()
        if user is None:
            form.add_error("username", _("No account has this user name."))
        else:
            try:
                membership_grant(
                    granted_by=request.user,
                    jurisdiction=jurisdiction,
                    user=user,
                    role=form.cleaned_data["role"],
                )
            except InvalidInputError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("Role granted."))
                return redirect("jurisdictions:members", slug=slug)
    memberships = Membership.objects.filter(jurisdiction=jurisdiction).select_related("user")
    context = {"jurisdiction": jurisdiction, "form": form, "memberships": memberships}
    return render(
        request, "jurisdictions/members.html", context, status=400 if form.errors else 200
    )


@require_POST
def membership_revoke_view(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    jurisdiction = selectors.jurisdiction_get(slug=slug)
    require(request.user, Action.MANAGE_MEMBERSHIPS, jurisdiction)
    membership = get_object_or_404(Membership, pk=pk, jurisdiction=jurisdiction)
    membership_revoke(revoked_by=request.user, membership=membership)
    messages.success(request, _("Role removed."))
    return redirect("jurisdictions:members", slug=slug)
