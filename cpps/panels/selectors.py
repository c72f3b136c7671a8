"""Reads for panels. Public reads carry pseudonymous ids only; names, addresses and contacts are
returned only to roles allowed to see personal data."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from statistics import mean
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.http import Http404

from cpps.accounts.policy import Action, require
from cpps.channels.models import SmsStatus
from cpps.engines import sortition
from cpps.panels import adapters
from cpps.panels.models import PANEL_KIND, Invitation, Panel, PanelStage, Registration
from cpps.processes.models import Process

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from cpps.accounts.models import User
    from cpps.jurisdictions.models import Jurisdiction

TRANSCRIPT_FILES = (
    "commitment.json",
    "categories.csv",
    "respondents.csv",
    "lottery.json",
    "draw.json",
    "probabilities.csv",
)


def panel_process_get(*, jurisdiction: Jurisdiction, pk: int) -> Process:
    """The panel process `pk` of `jurisdiction` (404 for other kinds)."""
    process = (
        Process.objects.select_related("jurisdiction")
        .filter(jurisdiction=jurisdiction, pk=pk, kind=PANEL_KIND)
        .first()
    )
    if process is None:
        raise Http404(pk)
    return process


def panel_of(process: Process) -> Panel | None:
    return Panel.objects.filter(process=process).select_related("process__jurisdiction").first()


def panel_process_list(*, jurisdiction: Jurisdiction) -> QuerySet[Process]:
    return Process.objects.filter(jurisdiction=jurisdiction, kind=PANEL_KIND).order_by(
        "-created_at"
    )


def invitation_counts(*, panel: Panel) -> dict[str, int]:
    """How many households were invited, by letter and by text, and how far each got (counts
    only: nothing here is personal)."""
    invitations = panel.invitations
    texts = invitations.exclude(phone="")
    return {
        "invited": invitations.count(),
        "letters": invitations.exclude(address="").count(),
        "sent": invitations.filter(sent_at__isnull=False).count(),
        "phones": texts.count(),
        "texts_sent": texts.filter(sms__status=SmsStatus.SENT).count(),
        "texts_pending": texts.filter(
            sms__status__in=[SmsStatus.QUEUED, SmsStatus.SENDING]
        ).count(),
        "texts_failed": texts.filter(sms__status=SmsStatus.FAILED).count(),
        "texts_to_send": texts.filter(registration__isnull=True)
        .filter(Q(sms__isnull=True) | Q(sms__status=SmsStatus.FAILED))
        .count(),
        "registered": panel.registrations.count(),
    }


def invitation_list_for_facilitator(
    *, user: User | AnonymousUser, panel: Panel
) -> QuerySet[Invitation]:
    """Invited households with their addresses and codes (facilitators only)."""
    require(user, Action.VIEW_PERSONAL_DATA, panel.process.jurisdiction)
    return panel.invitations.order_by("pk")


def letter_list_for_facilitator(
    *, user: User | AnonymousUser, panel: Panel
) -> QuerySet[Invitation]:
    """Invited households that have a postal address, for the letters (facilitators only)."""
    return invitation_list_for_facilitator(user=user, panel=panel).exclude(address="")


def invitation_delivery_list_for_facilitator(
    *, user: User | AnonymousUser, panel: Panel
) -> QuerySet[Invitation]:
    """Every invitation with its contact, its letter and text message status, and whether the
    household registered (facilitators only: numbers and message bodies are personal data)."""
    return invitation_list_for_facilitator(user=user, panel=panel).select_related(
        "sms", "registration"
    )


def registration_list_for_facilitator(
    *, user: User | AnonymousUser, panel: Panel
) -> QuerySet[Registration]:
    """Registrations with names and contacts (facilitators only)."""
    require(user, Action.VIEW_PERSONAL_DATA, panel.process.jurisdiction)
    return panel.registrations.select_related("contact").order_by("registered_at", "pk")


def current_pool(*, panel: Panel) -> sortition.Pool:
    """The pool as registered so far (before freezing), in id order."""
    return adapters.engine_pool(
        [[r.person_id, r.features, r.household] for r in panel.registrations.order_by("person_id")]
    )


@dataclass(frozen=True)
class CompositionRow:
    category: str
    value: str
    label_en: str
    label_es: str
    on_panel: int
    share: float
    census_share: float | None
    min: int
    max: int

    @property
    def within_quota(self) -> bool:
        return self.min <= self.on_panel <= self.max


@dataclass(frozen=True)
class PanelReport:
    composition: tuple[CompositionRow, ...]
    min_probability: float
    mean_probability: float
    max_probability: float
    panel: tuple[str, ...]
    alternates_shown: tuple[str, ...]
    replacements: tuple[tuple[str, str], ...]


def panel_report(*, panel: Panel) -> PanelReport | None:
    """The published outcome (None before the draw): composition against census and quotas,
    selection probabilities and the panel by pseudonymous id."""
    if panel.stage != PanelStage.DRAWN:
        return None
    features = {str(person): dict(values) for person, values, _h in panel.frozen_pool}
    members = list(panel.draw["panel"])
    rows = []
    for quota in panel.quotas.all():
        count = sum(1 for member in members if features[member].get(quota.category) == quota.value)
        rows.append(
            CompositionRow(
                category=quota.category,
                value=quota.value,
                label_en=quota.label_en,
                label_es=quota.label_es,
                on_panel=count,
                share=count / len(members) if members else 0.0,
                census_share=quota.census_share,
                min=quota.min,
                max=quota.max,
            )
        )
    probabilities = [float(p) for p in panel.probabilities]
    return PanelReport(
        composition=tuple(rows),
        min_probability=min(probabilities),
        mean_probability=mean(probabilities),
        max_probability=max(probabilities),
        panel=tuple(members),
        alternates_shown=tuple(panel.draw["alternates"][:10]),
        replacements=tuple((str(a), str(b)) for a, b in panel.draw["replacements"]),
    )


def transcript_files(*, panel: Panel) -> dict[str, bytes]:
    """The published transcript, file name to bytes, exactly as `cpps panel verify` reads it.

    Written by the sortition engine byte for byte (its digest is committed before the draw), so
    it is not passed through the spreadsheet-safe CSV writer; its cells are census categories
    and numbers, and uploaded quotas refuse formula cells.
    """
    if panel.stage != PanelStage.DRAWN:
        raise Http404("not drawn")
    pool = adapters.engine_pool(panel.frozen_pool)
    quotas = adapters.engine_quotas(panel.frozen_quotas)
    lottery = adapters.engine_lottery(panel.lottery, pool)
    commitment = sortition.commit(
        pool,
        quotas,
        panel.size,
        algorithm="leximin",
        randomness_source=panel.randomness_source,
        lottery=lottery,
    )
    with tempfile.TemporaryDirectory() as folder:
        sortition.write_transcript(
            folder,
            pool=pool,
            quotas=quotas,
            commitment=commitment,
            lottery=lottery,
            draw=adapters.draw_from_json(panel.draw),
            probabilities=[float(p) for p in panel.probabilities],
        )
        return {name: (Path(folder) / name).read_bytes() for name in TRANSCRIPT_FILES}
