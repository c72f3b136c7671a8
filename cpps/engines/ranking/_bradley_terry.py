"""Bradley-Terry scores from "which matters more?" comparisons, with uncertainty intervals.

Each idea i has a strength theta_i; it beats idea j with probability sigmoid(theta_i - theta_j).
Strengths are the posterior mode under a Gaussian prior N(0, prior_variance), which keeps them
finite for ideas that always win or lose and gives ideas added mid-way a neutral start with wide
intervals. Fitting works on the ideas x ideas win-count matrix, so a million comparisons cost one
pass to count them and a few Newton steps on a small matrix.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import linalg, stats
from scipy.special import expit
from threadpoolctl import ThreadpoolController

from cpps.engines.ranking._errors import RankingError, UnknownIdeaError

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

_NEWTON_TOLERANCE = 1e-10
_MAX_NEWTON_STEPS = 100
# Matrices here are ideas x ideas (tens to hundreds): one BLAS thread is several times faster than
# waking a pool, above all when web workers or other jobs share the cores.
_BLAS = ThreadpoolController()


@dataclass(frozen=True)
class WinCounts:
    """How often each idea beat each other: ``wins[i, j]`` = times idea i was preferred to j."""

    ideas: tuple[str, ...]
    wins: FloatArray

    @classmethod
    def from_comparisons(
        cls,
        ideas: Sequence[str],
        winners: Sequence[str] | Sequence[int] | IntArray,
        losers: Sequence[str] | Sequence[int] | IntArray,
    ) -> WinCounts:
        """Count comparisons given as idea labels or as integer positions in ``ideas``.

        Raises:
            UnknownIdeaError: a comparison names an idea not in ``ideas``.
            RankingError: duplicate ideas, mismatched lengths, or an idea compared with itself.
        """
        labels = tuple(str(idea) for idea in ideas)
        if len(set(labels)) != len(labels):
            raise RankingError("Each idea must appear once in the list of ideas.")
        winner_index = _indices(labels, winners)
        loser_index = _indices(labels, losers)
        if winner_index.shape != loser_index.shape:
            raise RankingError(
                f"There are {winner_index.size} winners for {loser_index.size} losers."
            )
        if np.any(winner_index == loser_index):
            raise RankingError("A comparison sets an idea against itself; drop those rows.")
        n = len(labels)
        flat = np.bincount(winner_index * n + loser_index, minlength=n * n)
        return cls(ideas=labels, wins=flat.reshape(n, n).astype(np.float64))


def _indices(labels: tuple[str, ...], values: Sequence[str] | Sequence[int] | IntArray) -> IntArray:
    array = np.asarray(values)
    if array.size == 0:
        return np.zeros(0, dtype=np.int64)
    if np.issubdtype(array.dtype, np.integer):
        if array.min() < 0 or array.max() >= len(labels):
            raise UnknownIdeaError(
                f"Comparisons refer to idea number {int(array.max())}, but there are only "
                f"{len(labels)} ideas."
            )
        return array.astype(np.int64, copy=False)
    position = {label: index for index, label in enumerate(labels)}
    uniques, inverse = np.unique(array.astype(str), return_inverse=True)
    unknown = [u for u in uniques.tolist() if u not in position]
    if unknown:
        raise UnknownIdeaError(
            f"Comparisons name ideas that are not in the list: {', '.join(unknown[:5])}."
        )
    lookup = np.array([position[u] for u in uniques.tolist()], dtype=np.int64)
    indices: IntArray = lookup[inverse.reshape(-1)]
    return indices


@dataclass(frozen=True)
class IdeaScore:
    """One idea's standing.

    Attributes:
        idea: the idea's label.
        score: chance (0-100) it beats a randomly chosen other idea, as All Our Ideas shows.
        score_low, score_high: the score's confidence interval.
        strength: Bradley-Terry log-strength, centred on 0 (differences are log-odds of winning).
        strength_low, strength_high: the strength's confidence interval.
        wins, losses: comparisons it won and lost.
    """

    idea: str
    score: float
    score_low: float
    score_high: float
    strength: float
    strength_low: float
    strength_high: float
    wins: int
    losses: int

    @property
    def comparisons(self) -> int:
        """How many times the idea was shown in a pair and a choice was made."""
        return self.wins + self.losses


@dataclass(frozen=True)
class Ranking:
    """Ideas ranked by score, with what active pair selection needs.

    Attributes:
        scores: one entry per idea, best score first.
        confidence: level of the intervals.
        iterations: Newton steps the fit took.
        strengths: log-strengths in the order of ``ideas``.
        covariance: posterior covariance of the log-strengths, same order.
        ideas: the ideas in input order.
        exposures: comparisons each idea took part in, same order.
    """

    scores: tuple[IdeaScore, ...]
    confidence: float
    iterations: int
    strengths: FloatArray
    covariance: FloatArray
    ideas: tuple[str, ...]
    exposures: IntArray


def fit_bradley_terry(
    counts: WinCounts, *, prior_variance: float = 1.0, confidence: float = 0.95
) -> Ranking:
    """Fit Bradley-Terry strengths and All Our Ideas scores with intervals.

    Args:
        counts: who beat whom how often.
        prior_variance: variance of the Gaussian prior on each log-strength; smaller pulls
            sparse ideas harder towards the middle.
        confidence: level of the intervals, in (0, 1).

    Returns:
        The ranking, best score first; intervals come from the posterior curvature (Laplace
        approximation) and, for scores, the delta method.
    """
    n = len(counts.ideas)
    if n < 2:
        raise RankingError("Ranking needs at least two ideas.")
    if prior_variance <= 0:
        raise RankingError(f"The prior variance must be positive, not {prior_variance:g}.")
    if not 0 < confidence < 1:
        raise RankingError(f"Confidence must lie between 0 and 1, not {confidence:g}.")
    wins = counts.wins
    games = wins + wins.T
    with _BLAS.limit(limits=1, user_api="blas"):
        theta, iterations, information = _newton(wins, games, 1.0 / prior_variance)
        covariance: FloatArray = linalg.inv(information, overwrite_a=True, check_finite=False)
        # Only differences of strengths mean anything; drop the shared level the prior pins.
        centring = np.eye(n) - 1.0 / n
        covariance = centring @ ((covariance + covariance.T) / 2) @ centring
        score, score_se = _scores(theta, covariance)
    z = float(stats.norm.ppf(0.5 + confidence / 2))
    strength_se = np.sqrt(np.clip(np.diag(covariance), 0.0, None))
    won = wins.sum(axis=1)
    lost = wins.sum(axis=0)
    order = np.argsort(-score, kind="stable")
    scores = tuple(
        IdeaScore(
            idea=counts.ideas[i],
            score=float(score[i]),
            score_low=float(max(0.0, score[i] - z * score_se[i])),
            score_high=float(min(100.0, score[i] + z * score_se[i])),
            strength=float(theta[i]),
            strength_low=float(theta[i] - z * strength_se[i]),
            strength_high=float(theta[i] + z * strength_se[i]),
            wins=int(won[i]),
            losses=int(lost[i]),
        )
        for i in order.tolist()
    )
    return Ranking(
        scores=scores,
        confidence=confidence,
        iterations=iterations,
        strengths=theta,
        covariance=covariance,
        ideas=counts.ideas,
        exposures=(won + lost).astype(np.int64),
    )


def _newton(
    wins: FloatArray, games: FloatArray, precision: float
) -> tuple[FloatArray, int, FloatArray]:
    """Posterior mode by Newton's method with step halving; returns the information matrix."""
    n = wins.shape[0]
    theta = np.zeros(n)
    won = wins.sum(axis=1)
    objective = _log_posterior(theta, wins, precision)
    steps = 0
    while steps < _MAX_NEWTON_STEPS:
        steps += 1
        p = expit(theta[:, None] - theta[None, :])
        gradient = won - (games * p).sum(axis=1) - precision * theta
        information = _information(games, p, precision)
        direction = linalg.solve(information, gradient, assume_a="pos", check_finite=False)
        if float(np.max(np.abs(direction))) < _NEWTON_TOLERANCE:
            break
        size = 1.0
        candidate = theta + direction
        new_objective = _log_posterior(candidate, wins, precision)
        # Halve only on a real decrease: near the optimum rounding alone moves the objective.
        while new_objective < objective - 1e-9 * (1 + abs(objective)) and size > 1e-6:
            size /= 2
            candidate = theta + size * direction
            new_objective = _log_posterior(candidate, wins, precision)
        theta, objective = candidate, new_objective
        if float(np.max(np.abs(size * direction))) < _NEWTON_TOLERANCE:
            break
    p = expit(theta[:, None] - theta[None, :])
    return theta, steps, _information(games, p, precision)


def _information(games: FloatArray, p: FloatArray, precision: float) -> FloatArray:
    """Negative Hessian of the log-posterior: a weighted graph Laplacian plus the prior."""
    curvature = games * p * (1 - p)
    information = -curvature
    information[np.diag_indices_from(information)] = curvature.sum(axis=1) + precision
    return information


def _log_posterior(theta: FloatArray, wins: FloatArray, precision: float) -> float:
    difference = theta[:, None] - theta[None, :]
    # log(sigmoid(x)) = -log1p(exp(-x)), computed stably.
    log_win = -np.logaddexp(0.0, -difference)
    return float(np.sum(wins * log_win) - precision * np.einsum("i,i->", theta, theta) / 2)


def _scores(theta: FloatArray, covariance: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Chance of beating a random other idea (0-100) and its delta-method standard error."""
    n = theta.size
    p = expit(theta[:, None] - theta[None, :])
    np.fill_diagonal(p, 0.0)
    score = 100 * p.sum(axis=1) / (n - 1)
    slope = p * (1 - p) / (n - 1)
    gradient = -slope
    gradient[np.diag_indices(n)] = slope.sum(axis=1)
    variance = ((gradient @ covariance) * gradient).sum(axis=1)
    return score, 100 * np.sqrt(np.clip(variance, 0.0, None))
