"""Deliberations as a kind of process."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext_lazy as _

from cpps.accounts.models import User
from cpps.deliberation.models import DELIBERATION_KIND
from cpps.participation.selectors import participant_counts
from cpps.processes.kinds import KindLink, KindStatus, ProcessKindSpec, register
from cpps.processes.models import Process


def _status(process: Process) -> KindStatus:
    return KindStatus(
        label=process.get_state_display(),
        participant_count=participant_counts(process=process).everyone,
        participant_label=_("People taking part"),
    )


def _links(process: Process, user: User | AnonymousUser) -> list[KindLink]:
    return []


DELIBERATION = register(
    ProcessKindSpec(
        value=DELIBERATION_KIND,
        label=_("Deliberation"),
        description=_(
            "Residents write short statements and vote agree, disagree or pass; the community "
            "sees its opinion groups, what each believes and what bridges them."
        ),
        status=_status,
        links=_links,
    )
)
