"""Which ideas have been compared often enough to be given a place in the ranking."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from cpps.engines.ranking._bradley_terry import IdeaScore, Ranking
from cpps.engines.ranking._errors import RankingError

# Below this many comparisons an idea's score is mostly the prior (50, range 1-99): it is
# listed as "not enough comparisons yet", without a place.
ENOUGH_COMPARISONS = 5


@dataclass(frozen=True)
class EvidenceSplit:
    """The ranking cut in two.

    Attributes:
        ranked: ideas compared at least ``enough`` times, best score first; their places are
            1, 2, ... in this order.
        unranked: the others, most compared first (then by score); they have no place yet.
    """

    ranked: tuple[IdeaScore, ...]
    unranked: tuple[IdeaScore, ...]


def split_by_evidence(
    ranking: Ranking,
    *,
    comparisons: Mapping[str, int] | None = None,
    enough: int = ENOUGH_COMPARISONS,
) -> EvidenceSplit:
    """Split a ranking into the ideas compared often enough to rank and the rest.

    Args:
        ranking: a fitted ranking.
        comparisons: how many comparisons each idea took part in (a count of people's
            choices, unweighted); by default each score's wins plus losses.
        enough: the fewest comparisons that give an idea a place, at least 1.
    """
    if enough < 1:
        raise RankingError(f"An idea needs at least one comparison to rank, not {enough}.")

    def seen(score: IdeaScore) -> int:
        return comparisons.get(score.idea, 0) if comparisons is not None else score.comparisons

    ranked = tuple(score for score in ranking.scores if seen(score) >= enough)
    waiting = [score for score in ranking.scores if seen(score) < enough]
    # ranking.scores is best first, and sorted() is stable: ties in comparisons keep that order.
    unranked = tuple(sorted(waiting, key=lambda score: -seen(score)))
    return EvidenceSplit(ranked=ranked, unranked=unranked)
