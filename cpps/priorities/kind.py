"""Priority rounds as a kind of process: how core pages and the channels reach them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cpps.accounts.models import User
from cpps.accounts.policy import Action, can
from cpps.priorities.models import PRIORITY_ROUND_KIND
from cpps.priorities.opendata import ranking_datasets
from cpps.priorities.selectors import voter_count
from cpps.processes.kinds import (
    KindLink,
    ProcessKindSpec,
    register,
    status_by_state,
    url_while_open,
)
from cpps.processes.models import Process, ProcessState

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

STATE_LABELS: dict[str, StrOrPromise] = {
    ProcessState.DRAFT: _("Draft: ideas are being gathered"),
    ProcessState.OPEN: _("Open for comparing"),
    ProcessState.CLOSED: _("Closed: no more comparisons"),
    ProcessState.PUBLISHED: _("Ranking published"),
}


_take_part_url = url_while_open("priorities:vote")


def _links(process: Process, user: User | AnonymousUser) -> list[KindLink]:
    slug, pk = process.jurisdiction.slug, process.pk
    links = []
    take_part = _take_part_url(process)
    if take_part:
        links.append(KindLink(_("Compare ideas: which matters more?"), take_part, "take_part"))
    links.append(
        KindLink(_("The ranking so far"), reverse("priorities:detail", args=[slug, pk]), "results")
    )
    if can(user, Action.SET_AGENDA, process.jurisdiction):
        links.append(
            KindLink(_("Add ideas"), reverse("priorities:seed", args=[slug, pk]), "workspace")
        )
    if can(user, Action.MODERATE, process.jurisdiction):
        links.append(
            KindLink(
                _("Moderate residents' ideas"),
                reverse("priorities:moderate", args=[slug, pk]),
                "workspace",
            )
        )
    return links


PRIORITY_ROUND = register(
    ProcessKindSpec(
        value=PRIORITY_ROUND_KIND,
        label=_("Priority round"),
        description=_(
            "Residents are shown two ideas at a time and choose which matters more for safety "
            "where they live; a ranking with its uncertainty emerges, per area and group."
        ),
        status=status_by_state(
            STATE_LABELS,
            count=lambda process: voter_count(process=process),
            counted=_("People who compared ideas"),
        ),
        links=_links,
        take_part_url=_take_part_url,
        home_url=lambda process: reverse(
            "priorities:detail", args=[process.jurisdiction.slug, process.pk]
        ),
        sms_handler="cpps.priorities.channel.ComparisonsByText",
        datasets=ranking_datasets,
    )
)
