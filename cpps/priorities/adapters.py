"""Bridges between stored rows and the ranking engine."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from cpps.engines.ranking import Ranking, WinCounts, fit_bradley_terry


def fit_ranking(
    *,
    ideas: Sequence[str],
    comparisons: Sequence[tuple[str, str, int]],
    weights: dict[int, float] | None = None,
) -> Ranking:
    """Bradley-Terry scores from (winner, loser, participant) rows, each weighted by its
    participant's census weight when weights are given."""
    position = {idea: i for i, idea in enumerate(ideas)}
    n = len(ideas)
    wins = np.zeros((n, n), dtype=np.float64)
    for winner, loser, participant in comparisons:
        if winner in position and loser in position:
            wins[position[winner], position[loser]] += (weights or {}).get(participant, 1.0)
    return fit_bradley_terry(WinCounts(ideas=tuple(ideas), wins=wins))
