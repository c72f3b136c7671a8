"""Bradley-Terry ranking of ideas from pairwise votes, and the choice of the next pair."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats
from scipy.special import expit

from cpps.engines.ranking import (
    RankingError,
    UnknownIdeaError,
    WinCounts,
    choose_next_pair,
    fit_bradley_terry,
)

# Priorities residents proposed in CPPS-style listening sessions (labels only; votes simulated).
IDEAS = (
    "Street lights on every block",
    "Violence interrupters in schools",
    "Faster 911 response",
    "Youth summer jobs",
    "Foot patrols that know the block",
    "Mental-health responders instead of police",
    "Clean up vacant lots",
    "Traffic calming near parks",
)


def simulate(strengths: np.ndarray, comparisons: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Votes on uniformly drawn pairs, won with Bradley-Terry probabilities."""
    rng = np.random.default_rng(seed)
    n = strengths.size
    left = rng.integers(0, n, comparisons)
    right = (left + rng.integers(1, n, comparisons)) % n
    left_wins = rng.random(comparisons) < expit(strengths[left] - strengths[right])
    return np.where(left_wins, left, right), np.where(left_wins, right, left)


def test_scores_agree_with_choix():
    choix = pytest.importorskip("choix")
    strengths = np.random.default_rng(1).normal(0, 1, 40)
    winners, losers = simulate(strengths, 20_000, seed=2)
    ranking = fit_bradley_terry(
        WinCounts.from_comparisons([str(i) for i in range(40)], winners, losers)
    )
    theirs = choix.ilsr_pairwise(
        40, list(zip(winners.tolist(), losers.tolist(), strict=True)), alpha=0.01
    )
    assert stats.spearmanr(ranking.strengths, theirs).statistic >= 0.999


def test_strengths_match_the_maximum_likelihood_optimum():
    """With many votes the prior hardly matters: the fit equals a generic optimiser's MLE."""
    from scipy.optimize import minimize

    strengths = np.random.default_rng(3).normal(0, 1, len(IDEAS))
    winners, losers = simulate(strengths, 30_000, seed=4)
    counts = WinCounts.from_comparisons(IDEAS, winners, losers)

    def negative_log_likelihood(theta):
        difference = theta[:, None] - theta[None, :]
        return -np.sum(counts.wins * -np.logaddexp(0, -difference)) + 1e-9 * theta @ theta

    reference = minimize(negative_log_likelihood, np.zeros(len(IDEAS)), method="BFGS").x
    fitted = fit_bradley_terry(counts, prior_variance=1e6)
    np.testing.assert_allclose(fitted.strengths, reference - reference.mean(), atol=1e-3)


def test_scores_are_the_chance_of_beating_a_random_other_idea():
    winners, losers = simulate(np.linspace(-1, 1, len(IDEAS)), 5_000, seed=5)
    ranking = fit_bradley_terry(WinCounts.from_comparisons(IDEAS, winners, losers))
    theta = dict(zip(ranking.ideas, ranking.strengths, strict=True))
    for entry in ranking.scores:
        others = [expit(theta[entry.idea] - theta[o]) for o in ranking.ideas if o != entry.idea]
        assert entry.score == pytest.approx(100 * np.mean(others))
        assert entry.score_low < entry.score < entry.score_high
    assert [s.score for s in ranking.scores] == sorted(
        (s.score for s in ranking.scores), reverse=True
    )
    assert ranking.scores[0].idea == IDEAS[-1]
    assert sum(s.wins for s in ranking.scores) == 5_000


def test_intervals_cover_true_strength_differences():
    """Across repeated surveys, 95% intervals on the top-vs-bottom score cover the truth."""
    strengths = np.linspace(-1, 1, len(IDEAS))
    truth = 100 * np.mean([expit(strengths[-1] - s) for s in strengths[:-1]])
    covered = 0
    for seed in range(200):
        winners, losers = simulate(strengths, 2_000, seed=100 + seed)
        ranking = fit_bradley_terry(
            WinCounts.from_comparisons(IDEAS, winners, losers), prior_variance=100.0
        )
        top = next(s for s in ranking.scores if s.idea == IDEAS[-1])
        covered += top.score_low <= truth <= top.score_high
    assert 0.90 <= covered / 200 <= 0.99


def test_idea_added_midway_is_shown_next_and_starts_uncertain():
    winners, losers = simulate(np.linspace(-1, 1, len(IDEAS)), 3_000, seed=6)
    ideas = (*IDEAS, "Community land trust for vacant homes")
    ranking = fit_bradley_terry(WinCounts.from_comparisons(ideas, winners, losers))
    newcomer = next(s for s in ranking.scores if s.idea == ideas[-1])
    settled = next(s for s in ranking.scores if s.idea == IDEAS[0])
    assert newcomer.comparisons == 0
    assert newcomer.score_high - newcomer.score_low > 5 * (settled.score_high - settled.score_low)
    rng = np.random.default_rng(7)
    for _ in range(20):
        assert ideas[-1] in choose_next_pair(ranking, rng)


def test_next_pairs_favour_close_uncertain_pairs():
    strengths = np.array([-3.0, -2.9, 0.0, 3.0])
    winners, losers = simulate(strengths, 400, seed=8)
    ideas = ("a", "b", "c", "d")
    ranking = fit_bradley_terry(WinCounts.from_comparisons(ideas, winners, losers))
    rng = np.random.default_rng(9)
    picks = [frozenset(choose_next_pair(ranking, rng)) for _ in range(2_000)]
    assert picks.count(frozenset({"a", "b"})) > 5 * picks.count(frozenset({"a", "d"}))
    assert len(set(picks)) > 1


def test_same_seed_gives_same_pairs():
    winners, losers = simulate(np.zeros(len(IDEAS)), 500, seed=10)
    ranking = fit_bradley_terry(WinCounts.from_comparisons(IDEAS, winners, losers))
    first = [choose_next_pair(ranking, np.random.default_rng(11)) for _ in range(5)]
    second = [choose_next_pair(ranking, np.random.default_rng(11)) for _ in range(5)]
    assert first == second


def test_unknown_idea_is_named():
    with pytest.raises(UnknownIdeaError, match=r"not in the list: More parks"):
        WinCounts.from_comparisons(["Lights", "Jobs"], ["More parks"], ["Jobs"])


def test_self_comparison_is_refused():
    with pytest.raises(RankingError, match=r"against itself"):
        WinCounts.from_comparisons(["Lights", "Jobs"], ["Jobs"], ["Jobs"])


def test_one_idea_cannot_be_ranked():
    with pytest.raises(RankingError, match=r"at least two ideas"):
        fit_bradley_terry(WinCounts.from_comparisons(["Lights"], [], []))
