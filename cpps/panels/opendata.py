"""What a drawn panel publishes as open data: its composition against the census and the
quotas. These counts are not suppressed: a panel is a public body whose make-up is the
lottery's published, verifiable outcome (its transcript lists every member's categories, so
anyone can re-run the draw with `cpps panel verify`)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from cpps.common.opendata import Announcement, Column, Dataset, PublicEvent
from cpps.panels.models import PANEL_KIND, Panel, PanelStage
from cpps.panels.selectors import panel_of, panel_report

if TYPE_CHECKING:
    from cpps.jurisdictions.models import Jurisdiction
    from cpps.processes.models import Process

COMPOSITION_COLUMNS = (
    Column("category", "string", _("The quota's variable (age, sex, area, ...)")),
    Column("value", "string", _("The quota's group, as a code")),
    Column("label", "string", _("The group in words")),
    Column("on_panel", "integer", _("Members of the panel in the group"), _("people")),
    Column("share", "number", _("Their share of the panel"), _("0-1")),
    Column("census_share", "number", _("The group's share of residents, by the census"), _("0-1")),
    Column("min", "integer", _("The quota's lower bound"), _("people")),
    Column("max", "integer", _("The quota's upper bound"), _("people")),
)


def composition_rows(*, panel: Panel) -> Iterator[list[Any]]:
    report = panel_report(panel=panel)
    spanish = (get_language() or "en").startswith("es")
    for row in report.composition if report else ():
        yield [
            row.category,
            row.value,
            row.label_es if spanish and row.label_es else row.label_en,
            row.on_panel,
            round(row.share, 4),
            None if row.census_share is None else round(row.census_share, 4),
            row.min,
            row.max,
        ]


def panel_datasets(process: Process) -> Sequence[Dataset]:
    panel = panel_of(process) if process.kind == PANEL_KIND else None
    if panel is None or panel.stage != PanelStage.DRAWN:
        return ()
    return (
        Dataset(
            name=f"panel-{process.pk}-composition",
            title=_("Panel composition: %(title)s") % {"title": process.title},
            description=_(
                "Who sits on the panel drawn by lot, group by group, against the census and "
                "the quotas it was drawn to."
            ),
            columns=COMPOSITION_COLUMNS,
            rows=lambda: composition_rows(panel=panel),
            source_url=reverse("panels:report", args=[process.jurisdiction.slug, process.pk]),
            updated=panel.drawn_at,
        ),
    )


def panel_announcements(
    jurisdiction: Jurisdiction, events: Sequence[PublicEvent]
) -> list[Announcement]:
    """A feed entry for every panel drawn: its report is published at that moment."""
    titles = dict(
        Panel.objects.filter(
            process__jurisdiction=jurisdiction,
            process_id__in=[int(e.object_id) for e in events if e.object_id.isdigit()],
        ).values_list("process_id", "process__title")
    )
    return [
        Announcement(
            key=f"event-{event.sequence}",
            title=str(_("Panel drawn by lot: %(title)s") % {"title": titles[int(event.object_id)]}),
            url=reverse("panels:report", args=[jurisdiction.slug, int(event.object_id)]),
            updated=event.recorded_at,
        )
        for event in events
        if event.object_id.isdigit() and int(event.object_id) in titles
    ]
