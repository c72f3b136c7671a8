"""Our Polis math against red-dwarf, the open reimplementation of Polis, on real conversations."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score

from cpps.engines.deliberation import (
    AnalysisOptions,
    PolisExport,
    analyze_conversation,
    analyze_with_groups,
)

reddwarf_polis = pytest.importorskip("reddwarf.implementations.polis")

TOLERANCE = 1e-6


def _latest_votes(export: PolisExport) -> list[dict[str, Any]]:
    """The vote log reduced to each pair's latest vote, in red-dwarf's input format."""
    votes = export.conversation.votes
    latest: dict[tuple[Any, int], dict[str, Any]] = {}
    for i in np.lexsort((np.arange(len(votes)), votes.timestamps)).tolist():
        participant = votes.participants[i].item()
        statement = int(votes.statements[i])
        latest[(participant, statement)] = {
            "participant_id": participant,
            "statement_id": statement,
            "vote": int(votes.values[i]),
            "modified": int(votes.timestamps[i]),
        }
    return list(latest.values())


@pytest.fixture(scope="module")
def reference(polis_export: tuple[str, PolisExport]) -> tuple[PolisExport, Any]:
    """red-dwarf's default Polis pipeline on the conversation."""
    _, export = polis_export
    result = reddwarf_polis.run_pipeline(
        votes=_latest_votes(export),
        mod_out_statement_ids=sorted(export.conversation.moderated_out),
        random_state=0,
    )
    return export, result


def _reference_groups(result: Any) -> dict[Any, int]:
    clustered = result.participants_df[result.participants_df["to_cluster"]]
    return dict(
        zip(clustered.index.tolist(), clustered["cluster_id"].astype(int).tolist(), strict=True)
    )


@pytest.mark.parametrize("clustering", ["polis", "auto"])
def test_participant_filter_and_groups_match_reddwarf(
    reference: tuple[PolisExport, Any], clustering: str
) -> None:
    export, result = reference
    expected = _reference_groups(result)
    analysis = analyze_conversation(export.conversation, AnalysisOptions(clustering=clustering))  # type: ignore[arg-type]
    ours = dict(zip(analysis.participants_in, analysis.group_labels.tolist(), strict=True))
    assert set(ours) == set(expected)
    people = sorted(expected)
    score = adjusted_rand_score([ours[p] for p in people], [expected[p] for p in people])
    assert score >= 0.95


def test_group_statistics_match_reddwarf_for_the_same_groups(
    reference: tuple[PolisExport, Any],
) -> None:
    export, result = reference
    groups = _reference_groups(result)
    analysis = analyze_with_groups(export.conversation, groups)
    expected: pd.DataFrame = result.group_comment_stats
    fields = {
        "pa": "p_agree",
        "pd": "p_disagree",
        "pat": "agree_test",
        "pdt": "disagree_test",
        "ra": "repness_agree",
        "rd": "repness_disagree",
        "rat": "repness_agree_test",
        "rdt": "repness_disagree_test",
        "na": "n_agree",
        "nd": "n_disagree",
        "ns": "n_votes",
    }
    compared = 0
    for group in analysis.groups:
        for stats in group.stats:
            row = expected.loc[(group.id, stats.statement)]
            for theirs, ours in fields.items():
                assert getattr(stats, ours) == pytest.approx(float(row[theirs]), abs=TOLERANCE)
            compared += 1
    assert compared == len(analysis.groups) * len(analysis.statements)


def test_representative_statements_match_reddwarf(reference: tuple[PolisExport, Any]) -> None:
    export, result = reference
    analysis = analyze_with_groups(export.conversation, _reference_groups(result))
    for group in analysis.groups:
        expected = result.repness[group.id]
        assert [r.statement for r in group.representative] == [int(e["tid"]) for e in expected]
        for ours, theirs in zip(group.representative, expected, strict=True):
            assert ours.direction == theirs["repful-for"]
            assert ours.p == pytest.approx(theirs["p-success"], abs=TOLERANCE)
            assert ours.p_test == pytest.approx(theirs["p-test"], abs=TOLERANCE)
            assert ours.ratio == pytest.approx(theirs["repness"], abs=TOLERANCE)
            assert ours.test == pytest.approx(theirs["repness-test"], abs=TOLERANCE)
            assert ours.n_success == theirs["n-success"]
            assert ours.n_trials == theirs["n-trials"]
            assert ours.best_agree == bool(theirs.get("best-agree", False))


def test_consensus_lists_match_reddwarf(reference: tuple[PolisExport, Any]) -> None:
    export, result = reference
    analysis = analyze_with_groups(export.conversation, _reference_groups(result))
    for ours, theirs in (
        (analysis.consensus_agree, result.consensus["agree"]),
        (analysis.consensus_disagree, result.consensus["disagree"]),
    ):
        assert [c.statement for c in ours] == [int(t["tid"]) for t in theirs]
        for mine, reference_statement in zip(ours, theirs, strict=True):
            assert mine.p == pytest.approx(reference_statement["p-success"], abs=TOLERANCE)
            assert mine.p_test == pytest.approx(reference_statement["p-test"], abs=TOLERANCE)


def test_polis_group_informed_consensus_matches_reddwarf(
    reference: tuple[PolisExport, Any],
) -> None:
    export, result = reference
    analysis = analyze_with_groups(
        export.conversation, _reference_groups(result), AnalysisOptions(consensus="polis")
    )
    expected = result.group_aware_consensus["agree"]
    assert len(analysis.group_informed_consensus) == len(analysis.statements)
    for scored in analysis.group_informed_consensus:
        assert scored.score == pytest.approx(expected[scored.statement], abs=TOLERANCE)
