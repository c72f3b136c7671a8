"""Polis statement statistics: vote shares per group, representativeness, consensus.

The formulas and selection rules follow Polis's `repness.clj` / `conversation.clj` as ported by
red-dwarf (`reddwarf.utils.stats`, `reddwarf.utils.consensus`), so that given the same groups the
numbers agree to rounding error; the counts come from sparse products, so the cost is linear in
the number of votes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.stats import norm

from cpps.engines.deliberation._matrix import CODE_AGREE, CODE_DISAGREE, VoteMatrix
from cpps.engines.deliberation.types import (
    ConsensusMode,
    ConsensusStatement,
    Direction,
    RepresentativeStatement,
    ScoredStatement,
    StatementStats,
)

FloatArray = NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class GroupCounts:
    """Per group (rows) and statement (columns): agree, disagree and total vote counts."""

    n_agree: FloatArray
    n_disagree: FloatArray
    n_votes: FloatArray


@dataclass(frozen=True, eq=False)
class GroupStatistics:
    """Polis statistics per group (rows) and statement (columns); see `StatementStats`."""

    counts: GroupCounts
    p_agree: FloatArray
    p_disagree: FloatArray
    agree_test: FloatArray
    disagree_test: FloatArray
    repness_agree: FloatArray
    repness_disagree: FloatArray
    repness_agree_test: FloatArray
    repness_disagree_test: FloatArray

    def for_group(
        self, group: int, statements: NDArray[np.int64], columns: NDArray[np.int64]
    ) -> tuple[StatementStats, ...]:
        """The statistics of one group as records, one per column in `columns`."""
        c = self.counts
        return tuple(
            StatementStats(
                statement=int(statements[j]),
                n_agree=int(c.n_agree[group, j]),
                n_disagree=int(c.n_disagree[group, j]),
                n_votes=int(c.n_votes[group, j]),
                p_agree=float(self.p_agree[group, j]),
                p_disagree=float(self.p_disagree[group, j]),
                agree_test=float(self.agree_test[group, j]),
                disagree_test=float(self.disagree_test[group, j]),
                repness_agree=float(self.repness_agree[group, j]),
                repness_disagree=float(self.repness_disagree[group, j]),
                repness_agree_test=float(self.repness_agree_test[group, j]),
                repness_disagree_test=float(self.repness_disagree_test[group, j]),
            )
            for j in columns.tolist()
        )


def count_votes(
    matrix: VoteMatrix, rows: NDArray[np.int64], labels: NDArray[np.int64], n_groups: int
) -> GroupCounts:
    """Vote counts per group over the matrix rows `rows` labelled `labels` (0..n_groups-1).

    One pass over the stored votes: each vote is binned by (group, statement).
    """
    n_statements = matrix.shape[1]
    group_of_row = np.full(matrix.shape[0], -1, dtype=np.int64)
    group_of_row[rows] = labels
    entry_group = group_of_row[matrix.row_of_entries()]
    kept = entry_group >= 0
    keys = entry_group[kept] * n_statements + matrix.codes.indices[kept]
    codes = matrix.codes.data[kept]

    def tally(selected: NDArray[np.int64]) -> FloatArray:
        counts = np.bincount(selected, minlength=n_groups * n_statements)
        return counts.reshape(n_groups, n_statements).astype(np.float64)

    return GroupCounts(
        n_agree=tally(keys[codes == CODE_AGREE]),
        n_disagree=tally(keys[codes == CODE_DISAGREE]),
        n_votes=tally(keys),
    )


def probability(count: FloatArray, total: FloatArray, pseudo_count: float = 1.0) -> FloatArray:
    """Smoothed proportion: `pseudo_count` virtual votes each way."""
    return (pseudo_count + count) / (2 * pseudo_count + total)


def one_proportion_test(successes: FloatArray, trials: FloatArray) -> FloatArray:
    """Polis's z-score that a proportion exceeds one half (with one pseudo-vote)."""
    return 2 * np.sqrt(trials + 1) * ((successes + 1) / (trials + 1) - 0.5)


def two_proportion_test(
    successes_in: FloatArray,
    successes_out: FloatArray,
    trials_in: FloatArray,
    trials_out: FloatArray,
) -> FloatArray:
    """Polis's z-score that the in-group proportion exceeds the out-group's (Laplace-smoothed)."""
    s_in, s_out = successes_in + 1, successes_out + 1
    n_in, n_out = trials_in + 1, trials_out + 1
    pooled = (s_in + s_out) / (n_in + n_out)
    denominator = np.sqrt(pooled * (1 - pooled) * (1 / n_in + 1 / n_out))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (s_in / n_in - s_out / n_out) / denominator
    # A pooled proportion of one means nobody ever voted otherwise: no evidence either way.
    return np.where(pooled == 1, 0.0, z)


def group_statistics(counts: GroupCounts) -> GroupStatistics:
    """Polis statistics of each group against everyone else in the analysis."""
    total_agree = counts.n_agree.sum(axis=0)
    total_disagree = counts.n_disagree.sum(axis=0)
    total_votes = counts.n_votes.sum(axis=0)
    out_agree = total_agree - counts.n_agree
    out_disagree = total_disagree - counts.n_disagree
    out_votes = total_votes - counts.n_votes
    p_agree = probability(counts.n_agree, counts.n_votes)
    p_disagree = probability(counts.n_disagree, counts.n_votes)
    return GroupStatistics(
        counts=counts,
        p_agree=p_agree,
        p_disagree=p_disagree,
        agree_test=one_proportion_test(counts.n_agree, counts.n_votes),
        disagree_test=one_proportion_test(counts.n_disagree, counts.n_votes),
        repness_agree=p_agree / probability(out_agree, out_votes),
        repness_disagree=p_disagree / probability(out_disagree, out_votes),
        repness_agree_test=two_proportion_test(
            counts.n_agree, out_agree, counts.n_votes, out_votes
        ),
        repness_disagree_test=two_proportion_test(
            counts.n_disagree, out_disagree, counts.n_votes, out_votes
        ),
    )


def is_significant(z: float | FloatArray, confidence: float) -> NDArray[np.bool_]:
    """One-sided significance of z-scores at `confidence`."""
    return np.asarray(z > norm.ppf(confidence))


def _representative(
    stats: GroupStatistics, g: int, j: int, statement: int, best_agree: bool = False
) -> RepresentativeStatement:
    """Format a group/statement pair the way Polis reports it (direction of the larger test)."""
    agree = bool(stats.repness_agree_test[g, j] > stats.repness_disagree_test[g, j])
    c = stats.counts
    return RepresentativeStatement(
        statement=statement,
        direction="agree" if agree else "disagree",
        p=float(stats.p_agree[g, j] if agree else stats.p_disagree[g, j]),
        p_test=float(stats.agree_test[g, j] if agree else stats.disagree_test[g, j]),
        ratio=float(stats.repness_agree[g, j] if agree else stats.repness_disagree[g, j]),
        test=float(stats.repness_agree_test[g, j] if agree else stats.repness_disagree_test[g, j]),
        n_success=int(c.n_agree[g, j] if agree else c.n_disagree[g, j]),
        n_trials=int(c.n_votes[g, j]),
        best_agree=best_agree,
    )


def _best_agree(
    stats: GroupStatistics, g: int, candidates: NDArray[np.int64], confidence: float
) -> int | None:
    """Polis's `beats-best-agr`: the column to lead a group's list with, so each group shows
    something it agrees on even when its most distinctive statements are disagreements."""
    pa, pat = stats.p_agree[g], stats.agree_test[g]
    ra, rat = stats.repness_agree[g], stats.repness_agree_test[g]
    c = stats.counts
    threshold = float(norm.ppf(confidence))
    best: int | None = None
    for j in candidates.tolist():
        if c.n_agree[g, j] == 0 and c.n_disagree[g, j] == 0:
            continue
        if best is None:
            if pat[j] > threshold or (ra[j] > 1.0 and pa[j] > 0.5):
                best = j
        elif ra[best] > 1.0:
            if ra[j] * rat[j] * pa[j] * pat[j] > ra[best] * rat[best] * pa[best] * pat[best]:
                best = j
        elif pa[j] * pat[j] > pa[best] * pat[best]:
            best = j
    return best


def representative_statements(
    stats: GroupStatistics,
    statements: NDArray[np.int64],
    candidates: NDArray[np.int64],
    pick_max: int,
    confidence: float,
) -> list[tuple[RepresentativeStatement, ...]]:
    """Per group, up to `pick_max` statements that set it apart (Polis's `select-rep-comments`).

    `candidates` are the columns eligible (active statements with votes), in statement-id order.
    """
    result: list[tuple[RepresentativeStatement, ...]] = []
    for g in range(stats.p_agree.shape[0]):
        agree_ok = is_significant(stats.agree_test[g, candidates], confidence) & is_significant(
            stats.repness_agree_test[g, candidates], confidence
        )
        disagree_ok = is_significant(
            stats.disagree_test[g, candidates], confidence
        ) & is_significant(stats.repness_disagree_test[g, candidates], confidence)
        sufficient = candidates[agree_ok | disagree_ok]
        formatted = [_representative(stats, g, j, int(statements[j])) for j in sufficient.tolist()]
        metric = [r.ratio * r.test * r.p * r.p_test for r in formatted]
        ranked = [formatted[i] for i in np.argsort(-np.asarray(metric), kind="stable")]
        best = _best_agree(stats, g, candidates, confidence)
        head: list[RepresentativeStatement] = []
        if best is not None:
            head = [_representative(stats, g, best, int(statements[best]), best_agree=True)]
        elif len(sufficient) == 0 and len(candidates):
            strongest = np.maximum(
                stats.repness_agree_test[g, candidates], stats.repness_disagree_test[g, candidates]
            )
            j = int(candidates[int(np.argmax(strongest))])
            head = [_representative(stats, g, j, int(statements[j]))]
        # As in Polis, the significant statements only follow a leading statement.
        chosen = head + [r for r in ranked if head and r.statement != head[0].statement]
        chosen = sorted(chosen[:pick_max], key=lambda r: r.direction)
        result.append(tuple(chosen))
    return result


def consensus_statements(
    counts: GroupCounts,
    statements: NDArray[np.int64],
    candidates: NDArray[np.int64],
    pick_max: int,
    confidence: float,
) -> tuple[tuple[ConsensusStatement, ...], tuple[ConsensusStatement, ...]]:
    """Statements most participants agree / disagree with, significantly (Polis consensus).

    `counts` must hold a single group: everyone who voted.
    """
    directions: list[tuple[ConsensusStatement, ...]] = []
    for direction, successes in (("agree", counts.n_agree[0]), ("disagree", counts.n_disagree[0])):
        trials = counts.n_votes[0]
        p = probability(successes, trials)
        z = one_proportion_test(successes, trials)
        eligible = candidates[(p[candidates] > 0.5) & is_significant(z[candidates], confidence)]
        order = np.argsort(-(p[eligible] * z[eligible]), kind="stable")[:pick_max]
        label: Direction = "agree" if direction == "agree" else "disagree"
        directions.append(
            tuple(
                ConsensusStatement(
                    statement=int(statements[j]),
                    direction=label,
                    p=float(p[j]),
                    p_test=float(z[j]),
                    n_success=int(successes[j]),
                    n_trials=int(trials[j]),
                )
                for j in eligible[order].tolist()
            )
        )
    return directions[0], directions[1]


def group_informed_consensus(
    counts: GroupCounts,
    statements: NDArray[np.int64],
    candidates: NDArray[np.int64],
    mode: ConsensusMode,
) -> tuple[ScoredStatement, ...]:
    """Bridging statements: how likely every group is to agree, highest first.

    "polis" is Polis's group-informed consensus: the product over groups of each group's
    agree probability with one pseudo-vote each way. It shrinks with the number of groups and
    pulls small unanimous groups towards one half, so a statement every member of a small group
    agrees with can score below one that group is split on. "corrected" (red-dwarf's standard
    mode) uses Jeffreys smoothing (half a pseudo-vote), discounts by the disagree probability
    (agree * (1 - disagree)), and takes the geometric mean over groups, so scores are
    comparable across group counts.
    """
    if mode == "polis":
        per_group = probability(counts.n_agree, counts.n_votes)
        score = per_group.prod(axis=0)
    else:
        agree = probability(counts.n_agree, counts.n_votes, 0.5)
        disagree = probability(counts.n_disagree, counts.n_votes, 0.5)
        score = np.exp(np.log(agree * (1 - disagree)).mean(axis=0))
    order = candidates[np.argsort(-score[candidates], kind="stable")]
    return tuple(ScoredStatement(int(statements[j]), float(score[j])) for j in order.tolist())
