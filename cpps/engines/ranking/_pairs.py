"""Which pair to ask next: the one whose answer would teach the most, with newcomers first."""

from __future__ import annotations

import numpy as np
from scipy.special import expit

from cpps.engines.ranking._bradley_terry import FloatArray, Ranking
from cpps.engines.ranking._errors import RankingError


def choose_next_pair(
    ranking: Ranking, rng: np.random.Generator, *, min_exposures: int = 5
) -> tuple[str, str]:
    """Pick the next pair of ideas to show a participant.

    Ideas shown fewer than ``min_exposures`` times come first (so ideas added mid-way get seen),
    each paired with the opponent that is most informative for it. Otherwise a pair is drawn with
    probability proportional to its expected information, p(1 - p) * Var(theta_i - theta_j):
    close, uncertain pairs are asked most, yet participants who arrive together see different
    pairs.

    Args:
        ranking: the current fit (refit as answers arrive, or every few answers).
        rng: source of randomness (seed it for a reproducible run).
        min_exposures: comparisons an idea needs before it competes on information alone.

    Returns:
        Two idea labels, in random left/right order.
    """
    n = len(ranking.ideas)
    if n < 2:
        raise RankingError("Choosing a pair needs at least two ideas.")
    information = _pair_information(ranking)
    newcomers = np.flatnonzero(ranking.exposures < min_exposures)
    if newcomers.size:
        fewest = newcomers[ranking.exposures[newcomers] == ranking.exposures[newcomers].min()]
        first = int(rng.choice(fewest))
        row = information[first]
        second = int(rng.choice(n, p=row / row.sum()))
    else:
        upper = np.triu(information, k=1).ravel()
        flat = int(rng.choice(upper.size, p=upper / upper.sum()))
        first, second = divmod(flat, n)
    pair = [ranking.ideas[first], ranking.ideas[second]]
    rng.shuffle(pair)
    return pair[0], pair[1]


def _pair_information(ranking: Ranking) -> FloatArray:
    theta = ranking.strengths
    variance = np.diag(ranking.covariance)
    difference_variance = variance[:, None] + variance[None, :] - 2 * ranking.covariance
    p = expit(theta[:, None] - theta[None, :])
    information: FloatArray = p * (1 - p) * np.clip(difference_variance, 0.0, None)
    np.fill_diagonal(information, 0.0)
    # A floor keeps every pair possible, so no idea is starved even when estimates look settled.
    information += 1e-12
    np.fill_diagonal(information, 0.0)
    return information
