"""Resident scorecards as a kind of process: how core pages and the channels reach them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cpps.accountability.models import SCORECARD_KIND
from cpps.accountability.opendata import scorecard_datasets
from cpps.accountability.selectors import rater_count
from cpps.accounts.models import User
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
    ProcessState.DRAFT: _("Draft"),
    ProcessState.OPEN: _("Open for ratings"),
    ProcessState.CLOSED: _("Closed: no more ratings"),
    ProcessState.PUBLISHED: _("Scores published"),
}


_take_part_url = url_while_open("accountability:scorecard")


def _links(process: Process, user: User | AnonymousUser) -> list[KindLink]:
    slug, pk = process.jurisdiction.slug, process.pk
    links = []
    take_part = _take_part_url(process)
    if take_part:
        links.append(KindLink(_("Rate the commitments"), take_part, "take_part"))
    links.append(
        KindLink(
            _("Scores"), reverse("accountability:scorecard_results", args=[slug, pk]), "results"
        )
    )
    return links


SCORECARD = register(
    ProcessKindSpec(
        value=SCORECARD_KIND,
        label=_("Resident scorecard"),
        description=_(
            "Residents judge whether each agreed commitment was kept, partly kept or not kept; "
            "the scores are public and followed from one period to the next."
        ),
        status=status_by_state(
            STATE_LABELS,
            count=lambda process: rater_count(scorecard=process),
            counted=_("People who rated commitments"),
        ),
        links=_links,
        take_part_url=_take_part_url,
        sms_handler="cpps.accountability.channel.RatingsByText",
        datasets=scorecard_datasets,
    )
)
