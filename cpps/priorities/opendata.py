"""What a priority round publishes as open data: its ranking with intervals, overall and for
each group of residents large enough to show (the same figures as the round's page)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from cpps.common.opendata import INTERVAL_HIGH, INTERVAL_LOW, Column, Dataset
from cpps.priorities.models import PRIORITY_ROUND_KIND
from cpps.priorities.selectors import RankedIdea, round_results
from cpps.processes.models import ProcessState
from cpps.processes.selectors import process_updated_at

if TYPE_CHECKING:
    from cpps.processes.models import Process

SCORE = _("0-100: chance of beating a randomly chosen other idea")
RANKING_COLUMNS = (
    Column("breakdown", "string", _("The grouping (area, age_band, ...) or empty for everyone")),
    Column("group", "string", _("The group, or “all”")),
    Column("participants", "integer", _("Residents in the group"), _("people"), suppressed=True),
    Column("rank", "integer", _("The idea's place, 1 first; empty: not enough comparisons yet")),
    Column("idea_id", "integer", _("The idea's number")),
    Column("idea", "string", _("The idea as published")),
    Column("score", "number", _("Its score"), SCORE),
    Column("score_low", "number", INTERVAL_LOW, SCORE),
    Column("score_high", "number", INTERVAL_HIGH, SCORE),
    Column("wins", "integer", _("Comparisons it won"), _("comparisons")),
    Column("losses", "integer", _("Comparisons it lost"), _("comparisons")),
)


def _ranked_rows(
    breakdown: str, group: str, participants: int, ranked: Sequence[RankedIdea], language: str
) -> Iterator[list[Any]]:
    for entry in ranked:
        score = entry.score
        yield [
            breakdown,
            group,
            participants,
            entry.rank,
            entry.idea.pk,
            entry.idea.text_for(language),
            round(score.score, 1),
            round(score.score_low, 1),
            round(score.score_high, 1),
            score.wins,
            score.losses,
        ]


def ranking_rows(*, process: Process) -> Iterator[list[Any]]:
    """The ranking overall, then the top ideas of every group the one small-cell rule shows."""
    language = get_language() or "en"
    results = round_results(process=process)
    yield from _ranked_rows("", "all", results.participants, results.overall, language)
    for group in results.groups:
        yield from _ranked_rows(
            group.variable, group.label, group.participants, group.top, language
        )


def ranking_datasets(process: Process) -> Sequence[Dataset]:
    if process.kind != PRIORITY_ROUND_KIND or process.state == ProcessState.DRAFT:
        return ()
    slug = process.jurisdiction.slug
    return (
        Dataset(
            name=f"priorities-{process.pk}-ranking",
            title=_("Priorities ranking: %(title)s") % {"title": process.title},
            description=_(
                "Every idea ranked from residents' comparisons, weighted to the census, with "
                "confidence intervals (95 percent); then the top three of each group of residents."
            ),
            columns=RANKING_COLUMNS,
            rows=lambda: ranking_rows(process=process),
            source_url=reverse("priorities:detail", args=[slug, process.pk]),
            updated=process_updated_at(process),
        ),
    )
