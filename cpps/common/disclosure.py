"""The one small-cell rule every published page, export and API answer applies.

The rule itself is pure and lives in `cpps.engines.privacy` (so engines and capabilities share
it); this module is the one place that reads its threshold from the settings
(`SMALL_CELL_THRESHOLD`, 10 by default), so changing it changes every page at once. Capabilities
sit below publishing and call these functions in their selectors; publishing's open-data
catalogue documents the rule with `rule_text()`.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings
from django.utils.translation import gettext as _

from cpps.engines.privacy import SuppressedTable, is_small, suppress_table, withheld_groups


def small_cell_threshold() -> int:
    """The smallest number of people a published count, group or figure may describe."""
    return int(settings.SMALL_CELL_THRESHOLD)


def count_shown(count: int) -> bool:
    """Whether one count (or a figure about a group of that size) may be shown on its own:
    zero, or at least the threshold."""
    return not is_small(int(count), threshold=small_cell_threshold())


def groups_withheld(
    sizes: Sequence[int], *, unpublished: Sequence[bool] | None = None
) -> list[bool]:
    """Which groups of a breakdown whose total is shown to withhold: the small ones and, when
    only one would be withheld, the smallest other one, so none is the total minus the rest."""
    return withheld_groups(sizes, threshold=small_cell_threshold(), unpublished=unpublished)


def counts_suppressed(
    cells: Sequence[Sequence[int]],
    *,
    row_labels: Sequence[str] | None = None,
    column_labels: Sequence[str] | None = None,
    column_totals: bool = True,
) -> SuppressedTable:
    """A count table with its totals, small cells and their complements withheld (the column
    totals are withheld too when the page never shows them)."""
    return suppress_table(
        cells,
        threshold=small_cell_threshold(),
        row_labels=row_labels,
        column_labels=column_labels,
        column_totals=column_totals,
    )


def rule_text() -> str:
    """The rule in plain words, for the data dictionary of every dataset."""
    return _(
        "Counts of 1 to %(below)s people are withheld, and so are the figures (means, shares, "
        "rankings) of groups that small; when the total is published, one more count is "
        "withheld with a small one so that it cannot be worked out by subtraction. Zero is "
        "published."
    ) % {"below": small_cell_threshold() - 1}
