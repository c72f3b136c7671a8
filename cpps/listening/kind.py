"""Surveys as a kind of process: how core pages, the channels and publishing reach them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cpps.accounts.models import User
from cpps.accounts.policy import Action, can
from cpps.listening.models import SURVEY_KIND
from cpps.listening.opendata import survey_datasets
from cpps.listening.selectors import response_count
from cpps.processes.kinds import KindLink, ProcessKindSpec, register, status_by_state
from cpps.processes.models import Process, ProcessState

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

STATE_LABELS: dict[str, StrOrPromise] = {
    ProcessState.DRAFT: _("Draft: the questions are being written"),
    ProcessState.OPEN: _("Open for answers"),
    ProcessState.CLOSED: _("Closed: no more answers"),
    ProcessState.PUBLISHED: _("Results published"),
}


def _take_part_url(process: Process) -> str | None:
    if process.state != ProcessState.OPEN:
        return None
    return reverse("listening:start", args=[process.pk])


def _links(process: Process, user: User | AnonymousUser) -> list[KindLink]:
    slug, pk = process.jurisdiction.slug, process.pk
    links = []
    take_part = _take_part_url(process)
    if take_part:
        links.append(KindLink(_("Answer the survey online"), take_part, "take_part"))
    links += [
        KindLink(_("Results"), reverse("listening:results", args=[slug, pk]), "results"),
        KindLink(
            _("The questions, every version"),
            reverse("listening:instrument", args=[slug, pk]),
            "results",
        ),
    ]
    if can(user, Action.ENTER_PAPER_FORMS, process.jurisdiction):
        links.append(
            KindLink(
                _("Paper forms: print and key in"),
                reverse("listening:paper", args=[slug, pk]),
                "workspace",
            )
        )
    return links


SURVEY = register(
    ProcessKindSpec(
        value=SURVEY_KIND,
        label=_("Safety and trust survey"),
        description=_(
            "Residents answer questions about safety and trust, by web, text message, phone call "
            "or paper, in their language. Results are weighted to the census and published for "
            "everyone once the survey closes."
        ),
        status=status_by_state(
            STATE_LABELS,
            count=lambda process: response_count(process=process),
            counted=_("People who sent their answers"),
        ),
        links=_links,
        take_part_url=_take_part_url,
        sms_handler="cpps.listening.channel.SurveyByText",
        voice_handler="cpps.listening.channel.SurveyByPhone",
        datasets=survey_datasets,
    )
)
