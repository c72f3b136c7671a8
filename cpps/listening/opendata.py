"""What a survey publishes as open data once it closes: its weighted results, the same rows as
the results page's CSV download."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from cpps.common.opendata import INTERVAL_HIGH, INTERVAL_LOW, Column, Dataset
from cpps.listening.exports import results_rows
from cpps.listening.models import SURVEY_KIND
from cpps.listening.selectors import survey_results
from cpps.processes.models import ProcessState
from cpps.processes.selectors import process_updated_at

if TYPE_CHECKING:
    from cpps.processes.models import Process

PUBLIC_STATES = frozenset({ProcessState.CLOSED, ProcessState.PUBLISHED})
RESULT_COLUMNS = (
    Column("question", "string", _("The question's key in the question bank (same across waves)")),
    Column("measure", "string", _("“mean_0_10” (mean on the 0-10 scale) or “share” of an option")),
    Column("breakdown", "string", _("The grouping (area, age_band, sex, ...) or empty for all")),
    Column("group", "string", _("The group, the option, or “all”")),
    Column("n", "integer", _("Answers behind the figure"), _("people"), suppressed=True),
    Column("value", "number", _("The weighted figure"), _("0-10, or a share 0-1"), True),
    Column("low", "number", INTERVAL_LOW, _("as value"), True),
    Column("high", "number", INTERVAL_HIGH, _("as value"), True),
    Column("suppressed", "string", _("“yes” when withheld by the small-cell rule")),
)


def survey_result_rows(*, process: Process) -> Iterator[list[Any]]:
    """The published results without their header (in `RESULT_COLUMNS` order)."""
    results = survey_results(process=process, language=(get_language() or "en")[:2])
    yield from results_rows(results)[1:]


def survey_datasets(process: Process) -> Sequence[Dataset]:
    if process.kind != SURVEY_KIND or process.state not in PUBLIC_STATES:
        return ()
    slug = process.jurisdiction.slug
    return (
        Dataset(
            name=f"survey-{process.pk}-results",
            title=_("Survey results: %(title)s") % {"title": process.title},
            description=_(
                "Weighted means and shares for every question, for everyone and per area and "
                "group, with confidence intervals (95 percent)."
            ),
            columns=RESULT_COLUMNS,
            rows=lambda: survey_result_rows(process=process),
            source_url=reverse("listening:results", args=[slug, process.pk]),
            updated=process_updated_at(process),
        ),
    )
