"""Priority ranking from pairwise "which matters more?" comparisons (wiki-survey style):
Bradley-Terry strengths, All Our Ideas scores with intervals, and active choice of the next pair."""

from cpps.engines.ranking._bradley_terry import (
    IdeaScore,
    Ranking,
    WinCounts,
    fit_bradley_terry,
)
from cpps.engines.ranking._errors import RankingError, UnknownIdeaError
from cpps.engines.ranking._evidence import ENOUGH_COMPARISONS, EvidenceSplit, split_by_evidence
from cpps.engines.ranking._pairs import choose_next_pair

__all__ = [
    "ENOUGH_COMPARISONS",
    "EvidenceSplit",
    "IdeaScore",
    "Ranking",
    "RankingError",
    "UnknownIdeaError",
    "WinCounts",
    "choose_next_pair",
    "fit_bradley_terry",
    "split_by_evidence",
]
