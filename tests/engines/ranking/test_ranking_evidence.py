"""Ideas compared too few times get no place in the ranking."""

from __future__ import annotations

import numpy as np
import pytest

from cpps.engines.ranking import (
    ENOUGH_COMPARISONS,
    RankingError,
    WinCounts,
    fit_bradley_terry,
    split_by_evidence,
)

IDEAS = ("Street lights", "Youth jobs", "Vacant lots", "Never shown")


def _ranking(wins: list[list[float]]):
    return fit_bradley_terry(WinCounts(ideas=IDEAS, wins=np.array(wins, dtype=np.float64)))


def test_an_idea_never_compared_has_no_place():
    ranking = _ranking([[0, 4, 3, 0], [2, 0, 3, 0], [1, 1, 0, 0], [0, 0, 0, 0]])
    never = next(s for s in ranking.scores if s.idea == "Never shown")
    assert ranking.scores.index(never) not in {0, len(IDEAS) - 1}  # the prior puts it mid-table
    split = split_by_evidence(ranking)
    assert [s.idea for s in split.ranked] == ["Street lights", "Youth jobs", "Vacant lots"]
    assert [s.idea for s in split.unranked] == ["Never shown"]


def test_before_any_vote_nothing_is_ranked():
    split = split_by_evidence(_ranking([[0] * 4 for _ in IDEAS]))
    assert split.ranked == ()
    assert len(split.unranked) == len(IDEAS)


def test_unranked_ideas_list_the_most_compared_first_and_counts_can_be_given():
    ranking = _ranking([[0, 1, 1, 0], [0, 0, 1, 0], [0, 0, 0, 1], [0, 0, 0, 0]])
    seen = {"Street lights": 2, "Youth jobs": 2, "Vacant lots": 3, "Never shown": 1}
    split = split_by_evidence(ranking, comparisons=seen)
    assert ENOUGH_COMPARISONS > 3
    assert split.ranked == ()
    assert split.unranked[0].idea == "Vacant lots"
    assert [s.idea for s in split_by_evidence(ranking, comparisons=seen, enough=2).ranked] == [
        s.idea for s in ranking.scores if s.idea != "Never shown"
    ]
    with pytest.raises(RankingError, match="at least one comparison"):
        split_by_evidence(ranking, enough=0)
