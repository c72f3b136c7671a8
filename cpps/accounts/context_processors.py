"""Role-aware navigation: which links the current person sees in the current jurisdiction."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cpps.accounts.policy import Action, can, roles_of
from cpps.jurisdictions.models import Jurisdiction


def current_jurisdiction(request: HttpRequest) -> Jurisdiction | None:
    match = request.resolver_match
    slug = match.kwargs.get("slug") if match else None
    if not slug:
        return None
    return Jurisdiction.objects.filter(slug=slug).first()


def navigation(request: HttpRequest) -> dict[str, Any]:
    jurisdiction = current_jurisdiction(request)
    links: list[tuple[str, Any]] = []
    roles: list[str] = []
    if jurisdiction is not None:
        slug = jurisdiction.slug
        links.append((reverse("processes:jurisdiction_home", args=[slug]), jurisdiction.name))
        links.append((reverse("panels:list", args=[slug]), _("Panels")))
        links.append((reverse("priorities:list", args=[slug]), _("Priorities")))
        links.append((reverse("accountability:board", args=[slug]), _("Commitments")))
        if can(request.user, Action.CREATE_PROCESS, jurisdiction):
            links.append((reverse("processes:create", args=[slug]), _("Start a process")))
        if any(
            can(request.user, action, jurisdiction)
            for action in (Action.MANAGE_MEMBERSHIPS, Action.APPROVE_MEMBERSHIPS)
        ):
            links.append((reverse("jurisdictions:members", args=[slug]), _("Members and roles")))
        links.append((reverse("audit:log", args=[slug]), _("Public record")))
        links.append((reverse("publishing:catalogue", args=[slug]), _("Open data")))
        roles = [str(role.label) for role in sorted(roles_of(request.user, jurisdiction))]
    return {"nav_jurisdiction": jurisdiction, "nav_links": links, "nav_roles": roles}
