"""Ranking benchmark: cpps.engines.ranking against choix on the same pairwise votes.

Votes on uniformly drawn pairs of ideas, won with Bradley-Terry probabilities from known
strengths. "ours" counts the votes and fits strengths, All Our Ideas scores and their intervals;
choix fits strengths only (ilsr_pairwise from the vote list; ilsr_pairwise_dense from the win
matrix, timed with counting the votes into it). Agreement is Spearman's rank correlation of the
strengths; rho(ours,truth) shows how well the votes recover the strengths that generated them.

    .venv/bin/python benchmarks/ranking.py [--quick]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import numpy as np
from scipy import stats
from scipy.special import expit

from cpps.engines.ranking import WinCounts, fit_bradley_terry

ALPHA = 0.01  # choix's regulariser, small as in its examples


def simulate(ideas: int, votes: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    strengths = rng.normal(0, 1, ideas)
    left = rng.integers(0, ideas, votes)
    right = (left + rng.integers(1, ideas, votes)) % ideas
    left_wins = rng.random(votes) < expit(strengths[left] - strengths[right])
    return np.where(left_wins, left, right), np.where(left_wins, right, left), strengths


def best_time(function: Callable[[], object], repeats: int) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - start)
    return best, result


def benchmark(ideas: int, votes: int, repeats: int) -> list[str]:
    winners, losers, truth = simulate(ideas, votes, seed=ideas + votes)
    labels = [f"idea {i}" for i in range(ideas)]

    def ours() -> np.ndarray:
        ranking = fit_bradley_terry(WinCounts.from_comparisons(labels, winners, losers))
        return ranking.strengths

    t_ours, strengths = best_time(ours, repeats)
    cells = [f"{ideas}", f"{votes:,}", f"{t_ours:.3f}"]
    try:
        import choix  # noqa: PLC0415
    except ImportError:
        return [*cells, "n/a", "n/a", "n/a", "n/a", "n/a"]
    pairs = list(zip(winners.tolist(), losers.tolist(), strict=True))
    t_list, from_list = best_time(lambda: choix.ilsr_pairwise(ideas, pairs, alpha=ALPHA), 1)

    def dense_from_votes() -> np.ndarray:
        flat = np.bincount(winners * ideas + losers, minlength=ideas * ideas)
        return choix.ilsr_pairwise_dense(flat.reshape(ideas, ideas).astype(float), alpha=ALPHA)

    t_dense, dense = best_time(dense_from_votes, repeats)
    return [
        *cells,
        f"{t_list:.3f}",
        f"{t_dense:.3f}",
        f"{stats.spearmanr(strengths, from_list).statistic:.5f}",
        f"{stats.spearmanr(strengths, dense).statistic:.5f}",
        f"{stats.spearmanr(strengths, truth).statistic:.4f}",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small inputs, fewer runs")
    arguments = parser.parse_args()
    cases = [(20, 2_000), (100, 100_000)]
    if not arguments.quick:
        cases += [(100, 1_000_000), (500, 1_000_000)]
    repeats = 2 if arguments.quick else 5
    header = [
        "ideas",
        "votes",
        "ours s (+intervals)",
        "choix ilsr s",
        "choix dense s (+count)",
        "rho(ours,ilsr)",
        "rho(ours,dense)",
        "rho(ours,truth)",
    ]
    rows = [benchmark(ideas, votes, repeats) for ideas, votes in cases]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        print("  ".join(cell.rjust(width) for cell, width in zip(row, widths, strict=True)))


if __name__ == "__main__":
    main()
