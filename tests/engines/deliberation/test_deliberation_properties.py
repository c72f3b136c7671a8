"""Properties of the vote matrix, projection, statistics and clustering on generated data."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.decomposition import PCA
from sklearn.metrics import adjusted_rand_score

from cpps.engines.deliberation import (
    AnalysisOptions,
    Conversation,
    NotEnoughVotesError,
    Statement,
    VoteTable,
    analyze_conversation,
    analyze_with_groups,
)
from cpps.engines.deliberation.synthetic import planted_conversation

vote_logs = st.lists(
    st.tuples(st.integers(0, 11), st.integers(0, 7), st.sampled_from([-1, 0, 1])),
    min_size=30,
    max_size=150,
)


def _conversation(log: list[tuple[int, int, int]]) -> Conversation:
    participants, statements, values = zip(*log, strict=True)
    return Conversation(
        tuple(Statement(id=s) for s in range(8)),
        VoteTable.from_arrays(participants, statements, values),
    )


@settings(max_examples=40, deadline=None)
@given(log=vote_logs, split=st.integers(1, 5))
def test_group_statistics_equal_a_direct_count(log: list[tuple[int, int, int]], split: int) -> None:
    """Counts, smoothed probabilities and ratios recomputed by hand from the latest votes."""
    latest = {(p, s): v for p, s, v in log}
    voters = sorted({p for p, _ in latest})
    groups = {p: int(p % (split + 1) > 0) for p in voters}
    if len(set(groups.values())) < 2:
        return
    analysis = analyze_with_groups(_conversation(log), groups)
    for group in analysis.groups:
        for stats in group.stats:
            members = [p for p in voters if groups[p] == group.id]
            others = [p for p in voters if groups[p] != group.id]

            def tally(
                people: list[int], value: int | None, statement: int = stats.statement
            ) -> int:
                return sum(
                    (p, statement) in latest and (value is None or latest[(p, statement)] == value)
                    for p in people
                )

            n_agree, n_votes = tally(members, 1), tally(members, None)
            assert (stats.n_agree, stats.n_disagree, stats.n_votes) == (
                n_agree,
                tally(members, -1),
                n_votes,
            )
            assert stats.p_agree == pytest.approx((n_agree + 1) / (n_votes + 2))
            out_p = (tally(others, 1) + 1) / (tally(others, None) + 2)
            assert stats.repness_agree == pytest.approx(stats.p_agree / out_p)


@settings(max_examples=25, deadline=None)
@given(log=vote_logs)
def test_vote_order_in_the_table_does_not_matter(log: list[tuple[int, int, int]]) -> None:
    """With explicit timestamps the analysis is a function of the votes, not of row order."""
    participants, statements, values = (np.asarray(c) for c in zip(*log, strict=True))
    stamps = np.arange(len(log))
    statements_list = tuple(Statement(id=s) for s in range(8))
    forward = Conversation(
        statements_list, VoteTable.from_arrays(participants, statements, values, stamps)
    )
    flipped = Conversation(
        statements_list,
        VoteTable.from_arrays(participants[::-1], statements[::-1], values[::-1], stamps[::-1]),
    )
    options = AnalysisOptions(min_votes=2)
    try:
        first = analyze_conversation(forward, options)
    except NotEnoughVotesError:
        with pytest.raises(NotEnoughVotesError):
            analyze_conversation(flipped, options)
        return
    second = analyze_conversation(flipped, options)
    assert first.participants_in == second.participants_in
    assert np.array_equal(first.group_labels, second.group_labels)
    assert np.allclose(first.coordinates, second.coordinates)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_projection_equals_sklearn_pca_of_the_mean_filled_matrix(seed: int) -> None:
    """Polis's projection computed densely with scikit-learn, independently of our sparse path."""
    planted = planted_conversation(400, 30, density=0.3, seed=seed)
    analysis = analyze_conversation(planted.conversation)
    votes = planted.conversation.votes
    dense = np.full((400, 30), np.nan)
    dense[votes.participants, votes.statements] = votes.values
    voted = ~np.isnan(dense)
    rows = np.asarray(analysis.participants)
    dense, voted = dense[rows], voted[rows]
    filled = np.where(voted, dense, np.nanmean(dense, axis=0))
    expected = PCA(n_components=2, svd_solver="full").fit_transform(filled)
    expected *= np.sqrt(30 / np.maximum(voted.sum(axis=1), 1))[:, np.newaxis]
    for axis in range(2):
        assert np.allclose(
            np.abs(analysis.coordinates[:, axis]), np.abs(expected[:, axis]), atol=1e-8
        )


@pytest.mark.parametrize("clustering", ["polis", "two-level"])
def test_planted_groups_are_recovered(clustering: str) -> None:
    planted = planted_conversation(3_000, 300, density=0.2, n_groups=3, seed=7)
    analysis = analyze_conversation(planted.conversation, AnalysisOptions(clustering=clustering))  # type: ignore[arg-type]
    truth = planted.planted[np.asarray(analysis.participants_in)]
    assert len(analysis.groups) == 3
    assert adjusted_rand_score(truth, analysis.group_labels) >= 0.95


def test_same_seed_same_result_and_group_count_is_in_range() -> None:
    planted = planted_conversation(5_000, 200, density=0.05, n_groups=4, seed=11)
    options = AnalysisOptions(clustering="two-level", seed=3)
    first = analyze_conversation(planted.conversation, options)
    second = analyze_conversation(planted.conversation, options)
    assert np.array_equal(first.group_labels, second.group_labels)
    assert options.min_groups <= len(first.groups) <= options.max_groups


def test_moderated_out_statements_are_never_reported() -> None:
    planted = planted_conversation(1_000, 40, density=0.3, seed=2)
    statements = tuple(
        Statement(id=s.id, moderated=-1 if s.id % 2 else 1) for s in planted.conversation.statements
    )
    analysis = analyze_conversation(Conversation(statements, planted.conversation.votes))
    reported = {r.statement for g in analysis.groups for r in g.representative}
    reported |= {c.statement for c in analysis.consensus_agree + analysis.consensus_disagree}
    reported |= {s.statement for s in analysis.group_informed_consensus}
    assert reported
    assert all(s % 2 == 0 for s in reported)
    assert all(s % 2 == 0 for s in analysis.statements)


def test_corrected_consensus_does_not_shrink_with_the_group_count() -> None:
    """A statement every group agrees with scores alike whether there are two or four groups."""
    planted = planted_conversation(2_000, 60, density=0.3, n_groups=4, consensus_share=0.3, seed=4)
    voters = sorted(set(planted.conversation.votes.participants.tolist()))
    four = {p: int(planted.planted[p]) for p in voters}
    two = {p: g % 2 for p, g in four.items()}
    scores = {}
    for name, groups in (("two", two), ("four", four)):
        for mode in ("corrected", "polis"):
            analysis = analyze_with_groups(
                planted.conversation, groups, AnalysisOptions(consensus=mode)
            )  # type: ignore[arg-type]
            scores[(name, mode)] = analysis.group_informed_consensus[0].score
    assert abs(scores[("two", "corrected")] - scores[("four", "corrected")]) < 0.05
    assert scores[("four", "polis")] < scores[("two", "polis")] - 0.1


def test_too_few_active_voters_is_a_clear_error() -> None:
    conversation = _conversation([(0, 0, 1), (1, 0, -1), (2, 1, 1)])
    with pytest.raises(NotEnoughVotesError, match="voted on at least 7 statements"):
        analyze_conversation(conversation, AnalysisOptions(min_votes=7))


@settings(max_examples=25, deadline=None)
@given(log=vote_logs)
def test_corrected_consensus_is_the_geometric_mean_of_effective_agreement(
    log: list[tuple[int, int, int]],
) -> None:
    """red-dwarf's standard mode: Jeffreys prior, agree x (1 - disagree), geometric mean."""
    voters = sorted({p for p, _, _ in log})
    groups = {p: p % 3 for p in voters}
    if len(set(groups.values())) < 2:
        return
    analysis = analyze_with_groups(_conversation(log), groups)
    by_statement = {s.statement: s.score for s in analysis.group_informed_consensus}
    for statement in analysis.statements:
        factors = []
        for group in analysis.groups:
            stats = next(s for s in group.stats if s.statement == statement)
            agree = (stats.n_agree + 0.5) / (stats.n_votes + 1)
            disagree = (stats.n_disagree + 0.5) / (stats.n_votes + 1)
            factors.append(agree * (1 - disagree))
        assert by_statement[statement] == pytest.approx(
            float(np.prod(factors)) ** (1 / len(factors))
        )
