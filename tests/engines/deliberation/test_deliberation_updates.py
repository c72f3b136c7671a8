"""Incremental updates: results follow new votes without relabelling groups."""

from __future__ import annotations

import numpy as np
import pytest

from cpps.engines.deliberation import (
    AnalysisOptions,
    Conversation,
    PolisExport,
    Statement,
    Vote,
    VoteDataError,
    VoteTable,
    analyze_conversation,
    analyze_with_groups,
    update_analysis,
)
from cpps.engines.deliberation.synthetic import planted_conversation


def _rows(votes: VoteTable, index: np.ndarray) -> VoteTable:
    return VoteTable(
        votes.participants[index],
        votes.statements[index],
        votes.values[index],
        votes.timestamps[index],
    )


def _split(conversation: Conversation, share: float) -> tuple[Conversation, VoteTable]:
    """The conversation as it stood before its last `share` of votes, and those votes."""
    votes = conversation.votes
    order = np.argsort(votes.timestamps, kind="stable")
    cut = round(len(votes) * (1 - share))
    return Conversation(conversation.statements, _rows(votes, order[:cut])), _rows(
        votes, order[cut:]
    )


@pytest.mark.parametrize("clustering", ["polis", "two-level"])
def test_one_percent_more_votes_keeps_groups_on_real_conversations(
    polis_export: tuple[str, PolisExport], clustering: str
) -> None:
    _, export = polis_export
    before, batch = _split(export.conversation, 0.01)
    options = AnalysisOptions(clustering=clustering)  # type: ignore[arg-type]
    previous = analyze_conversation(before, options)
    updated = update_analysis(previous, batch)
    assert [g.id for g in updated.groups] == [g.id for g in previous.groups]
    assert updated.report.relabelled <= 0.05
    old = dict(zip(previous.participants_in, previous.group_labels.tolist(), strict=True))
    new = dict(zip(updated.participants_in, updated.group_labels.tolist(), strict=True))
    common = set(old) & set(new)
    changed = sum(old[p] != new[p] for p in common) / len(common)
    assert changed == pytest.approx(updated.report.relabelled)


def test_updated_statistics_equal_a_fresh_count(polis_export: tuple[str, PolisExport]) -> None:
    """Patching the matrix batch by batch gives the same counts as building it once."""
    _, export = polis_export
    before, batch = _split(export.conversation, 0.05)
    updated = before_analysis = analyze_conversation(before)
    for chunk in np.array_split(np.arange(len(batch)), 3):
        updated = update_analysis(updated, _rows(batch, chunk))
        assert updated.report.new_votes == len(chunk)
    groups = dict(zip(updated.participants_in, updated.group_labels.tolist(), strict=True))
    fresh = analyze_with_groups(export.conversation, groups)
    assert updated.statements == fresh.statements
    for ours, theirs in zip(updated.groups, fresh.groups, strict=True):
        assert ours.stats == theirs.stats
        assert ours.representative == theirs.representative
    assert updated.consensus_agree == fresh.consensus_agree
    assert len(updated.participants) >= len(before_analysis.participants)


@pytest.mark.slow
def test_group_count_does_not_flip_as_votes_trickle_in() -> None:
    planted = planted_conversation(3_000, 200, density=0.1, n_groups=3, seed=3)
    before, batch = _split(planted.conversation, 0.2)
    analysis = analyze_conversation(before, AnalysisOptions(clustering="two-level"))
    counts = [len(analysis.groups)]
    relabelled = []
    for chunk in np.array_split(np.arange(len(batch)), 20):
        analysis = update_analysis(analysis, _rows(batch, chunk))
        counts.append(len(analysis.groups))
        relabelled.append(analysis.report.relabelled)
    assert len(set(counts)) == 1
    assert max(relabelled) <= 0.02


def test_updates_keep_the_map_orientation() -> None:
    planted = planted_conversation(2_000, 150, density=0.1, seed=5)
    before, batch = _split(planted.conversation, 0.01)
    previous = analyze_conversation(before)
    updated = update_analysis(previous, batch)
    n = len(previous.participants)
    for axis in range(2):
        correlation = np.corrcoef(previous.coordinates[:, axis], updated.coordinates[:n, axis])[
            0, 1
        ]
        assert correlation > 0.99


def test_update_needs_a_previous_engine_analysis() -> None:
    planted = planted_conversation(300, 40, density=0.5, seed=1)
    analysis = analyze_conversation(planted.conversation)
    stateless = type(analysis)(**{**analysis.__dict__, "state": None})
    with pytest.raises(VoteDataError, match="analyse afresh"):
        update_analysis(stateless, planted.conversation.votes)


def test_records_from_a_database_update_like_arrays() -> None:
    """Vote records (the shape an ORM query gives) feed updates, including new statements."""
    planted = planted_conversation(600, 30, density=0.4, seed=9)
    analysis = analyze_conversation(planted.conversation)
    records = [
        Vote(participant=p, statement=30, value=1, timestamp=10**9 + p) for p in range(0, 600, 2)
    ] + [Vote(participant=9_999, statement=s, value=-1, timestamp=10**9) for s in range(10)]
    updated = update_analysis(analysis, VoteTable.from_votes(records), (Statement(id=30),))
    assert updated.report.new_participants == 1
    assert 9_999 in updated.participants_in
    assert 30 in updated.statements
    consensus = {s.statement: s for s in updated.consensus_agree}
    assert 30 in consensus
    assert consensus[30].n_success == 300
