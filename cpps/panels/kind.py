"""Civic lottery panels as a kind of process: how core pages and the channels reach them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cpps.accounts.models import User
from cpps.accounts.policy import Action, can
from cpps.panels.models import PANEL_KIND, PanelStage
from cpps.panels.opendata import panel_datasets
from cpps.panels.selectors import panel_of
from cpps.processes.kinds import KindLink, KindStatus, ProcessKindSpec, register
from cpps.processes.models import Process, ProcessState

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def _status(process: Process) -> KindStatus:
    panel = panel_of(process)
    label: StrOrPromise = _("Being set up")
    registered = 0
    if panel is not None:
        label, registered = panel.get_stage_display(), panel.registrations.count()
    return KindStatus(
        label=label, participant_count=registered, participant_label=_("People registered")
    )


def _registering(process: Process) -> bool:
    panel = panel_of(process)
    return (
        panel is not None
        and panel.stage == PanelStage.SETUP
        and process.state not in {ProcessState.CLOSED, ProcessState.PUBLISHED}
    )


def _take_part_url(process: Process) -> str | None:
    if not _registering(process):
        return None
    return reverse("panels:register", args=[process.jurisdiction.slug, process.pk])


def _links(process: Process, user: User | AnonymousUser) -> list[KindLink]:
    slug, pk = process.jurisdiction.slug, process.pk
    links = []
    take_part = _take_part_url(process)
    if take_part:
        links.append(KindLink(_("Register with the code from your letter"), take_part, "take_part"))
    links.append(
        KindLink(
            _("The panel and how it was drawn"),
            reverse("panels:report", args=[slug, pk]),
            "results",
        )
    )
    if can(user, Action.SET_AGENDA, process.jurisdiction):
        links.append(
            KindLink(_("Lottery workspace"), reverse("panels:manage", args=[slug, pk]), "workspace")
        )
    return links


PANEL = register(
    ProcessKindSpec(
        value=PANEL_KIND,
        label=_("Community panel (civic lottery)"),
        description=_(
            "Households are invited at random by letter or text message; from everyone who "
            "registers, a panel that looks like the community is drawn by lot, in a way anyone "
            "can check."
        ),
        status=_status,
        links=_links,
        take_part_url=_take_part_url,
        home_url=lambda process: reverse(
            "panels:report", args=[process.jurisdiction.slug, process.pk]
        ),
        # Registering is by the code on each household's letter: by invitation, always.
        eligibility_modes=("invitation",),
        sms_handler="cpps.panels.channel.RegistrationByText",
        datasets=panel_datasets,
    )
)
