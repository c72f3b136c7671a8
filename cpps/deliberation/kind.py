"""Conversations (deliberation) as a kind of process: how core pages and the channels reach
them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cpps.accounts.models import User
from cpps.accounts.policy import Action, can
from cpps.deliberation.models import DELIBERATION_KIND
from cpps.deliberation.opendata import conversation_datasets
from cpps.participation.selectors import participant_counts
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
    ProcessState.DRAFT: _("Draft: the topic is being written"),
    ProcessState.OPEN: _("Open: statements and votes welcome"),
    ProcessState.CLOSED: _("Closed: no more votes"),
    ProcessState.PUBLISHED: _("Results published"),
}

_take_part_url = url_while_open("deliberation:vote")


def _links(process: Process, user: User | AnonymousUser) -> list[KindLink]:
    slug, pk = process.jurisdiction.slug, process.pk
    links = []
    take_part = _take_part_url(process)
    if take_part:
        links.append(KindLink(_("Vote on statements and add your own"), take_part, "take_part"))
    links.append(
        KindLink(
            _("Opinion groups and common ground"),
            reverse("deliberation:results", args=[slug, pk]),
            "results",
        )
    )
    jurisdiction = process.jurisdiction
    if can(user, Action.SET_AGENDA, jurisdiction):
        links.append(
            KindLink(
                _("Topic, framing and seed statements"),
                reverse("deliberation:setup", args=[slug, pk]),
                "workspace",
            )
        )
    if can(user, Action.MODERATE, jurisdiction):
        links.append(
            KindLink(
                _("Moderate statements"),
                reverse("deliberation:moderate", args=[slug, pk]),
                "workspace",
            )
        )
    if can(user, Action.ENTER_PAPER_FORMS, jurisdiction):
        links.append(
            KindLink(
                _("Paper ballots: print and key in"),
                reverse("deliberation:paper", args=[slug, pk]),
                "workspace",
            )
        )
    if can(user, Action.SET_AGENDA, jurisdiction):
        links.append(
            KindLink(
                _("Import or export a Polis conversation"),
                reverse("deliberation:interchange", args=[slug, pk]),
                "workspace",
            )
        )
    return links


DELIBERATION = register(
    ProcessKindSpec(
        value=DELIBERATION_KIND,
        label=_("Deliberation"),
        description=_(
            "Residents write short statements and vote agree, disagree or pass; the community "
            "sees its opinion groups, what each believes and what bridges them."
        ),
        status=status_by_state(
            STATE_LABELS,
            count=lambda process: participant_counts(process=process).everyone,
            counted=_("People taking part"),
        ),
        links=_links,
        take_part_url=_take_part_url,
        home_url=lambda process: reverse(
            "deliberation:conversation", args=[process.jurisdiction.slug, process.pk]
        ),
        sms_handler="cpps.deliberation.channel.StatementsByText",
        datasets=conversation_datasets,
    )
)
