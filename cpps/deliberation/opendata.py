"""What a conversation publishes as open data once analysed: its opinion groups (small ones
withheld), what sets each apart, and its common ground, as on the results page."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cpps.common.opendata import Column, Dataset
from cpps.deliberation.models import DELIBERATION_KIND
from cpps.deliberation.selectors import StatementShare, latest_analysis, results_view

if TYPE_CHECKING:
    from cpps.processes.models import Process

SHARE = _("0-1 of the votes on the statement")
RESULT_COLUMNS = (
    Column(
        "section",
        "string",
        _(
            "“group”, “representative” (sets a group apart), “consensus_agree”, "
            "“consensus_disagree” or “bridging”"
        ),
    ),
    Column("group", "string", _("The opinion group's letter, or empty")),
    Column("group_size", "integer", _("People in the group"), _("people"), suppressed=True),
    Column("statement", "integer", _("The statement's number")),
    Column("text", "string", _("The statement as published after moderation")),
    Column("agree", "number", _("Share who agreed"), SHARE, suppressed=True),
    Column("disagree", "number", _("Share who disagreed"), SHARE, suppressed=True),
    Column("passed", "number", _("Share who passed"), SHARE, suppressed=True),
    Column("votes", "integer", _("Votes on the statement"), _("votes"), suppressed=True),
)


def _share_row(section: str, group: str, size: int | None, share: StatementShare) -> list[Any]:
    return [
        section,
        group,
        size,
        share.number,
        share.text,
        round(share.agree, 3),
        round(share.disagree, 3),
        round(share.passed, 3),
        share.votes,
    ]


def conversation_result_rows(*, process: Process) -> Iterator[list[Any]]:
    view = results_view(process=process)
    if view is None:
        return
    for group in view.groups:
        size = group.size if group.shown else None
        yield ["group", group.letter, size, None, "", None, None, None, None]
        for share in group.representative:
            yield _share_row("representative", group.letter, size, share)
    for section, shares in (
        ("consensus_agree", view.consensus_agree),
        ("consensus_disagree", view.consensus_disagree),
        ("bridging", view.bridging),
    ):
        for share in shares:
            yield _share_row(section, "", None, share)


def conversation_datasets(process: Process) -> Sequence[Dataset]:
    analysis = latest_analysis(process=process) if process.kind == DELIBERATION_KIND else None
    if analysis is None:
        return ()
    return (
        Dataset(
            name=f"conversation-{process.pk}-results",
            title=_("Deliberation results: %(title)s") % {"title": process.title},
            description=_(
                "The opinion groups found in residents' votes, the statements that set each "
                "apart, and the statements that all groups agree on or that bridge them."
            ),
            columns=RESULT_COLUMNS,
            rows=lambda: conversation_result_rows(process=process),
            source_url=reverse(
                "deliberation:results", args=[process.jurisdiction.slug, process.pk]
            ),
            updated=analysis.computed_at,
        ),
    )
