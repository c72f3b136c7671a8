"""Reads for priority rounds: ideas, the next pair to ask, and rankings with intervals, overall
and per area and demographic group (weighted to the census where people told us about them)."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

import numpy as np
from django.db.models import QuerySet
from django.http import Http404

from cpps.common.disclosure import groups_withheld, small_cell_threshold
from cpps.engines.ranking import (
    ENOUGH_COMPARISONS,
    IdeaScore,
    RankingError,
    choose_next_pair,
    split_by_evidence,
)
from cpps.jurisdictions.models import Jurisdiction
from cpps.participation.demographics import QUESTIONS
from cpps.participation.models import Participant
from cpps.participation.weighting import participant_weights
from cpps.priorities.adapters import fit_ranking
from cpps.priorities.models import PRIORITY_ROUND_KIND, Comparison, Idea, IdeaState
from cpps.processes.models import Process

GROUP_VARIABLES = ("area", *(question.key for question in QUESTIONS))


def round_list(*, jurisdiction: Jurisdiction) -> list[Process]:
    return list(
        Process.objects.filter(jurisdiction=jurisdiction, kind=PRIORITY_ROUND_KIND)
        .exclude(state="draft")
        .order_by("-created_at")
    )


def round_get(*, jurisdiction: Jurisdiction, pk: int) -> Process:
    process = Process.objects.filter(
        jurisdiction=jurisdiction, pk=pk, kind=PRIORITY_ROUND_KIND
    ).first()
    if process is None:
        raise Http404(pk)
    return process


def idea_list(*, process: Process, state: str = IdeaState.APPROVED) -> list[Idea]:
    return list(Idea.objects.filter(process=process, state=state).order_by("pk"))


def approved_ideas(*, jurisdiction: Jurisdiction) -> QuerySet[Idea]:
    """Every idea taken into one of the jurisdiction's rounds: the priorities a commitment can
    answer (read by accountability)."""
    return Idea.objects.filter(process__jurisdiction=jurisdiction, state=IdeaState.APPROVED)


def idea_get(*, process: Process, pk: int) -> Idea:
    idea = Idea.objects.filter(process=process, pk=pk).first()
    if idea is None:
        raise Http404(pk)
    return idea


def comparison_count(*, participant: Participant) -> int:
    return Comparison.objects.filter(participant=participant).count()


def voter_count(*, process: Process) -> int:
    """How many people have compared at least one pair."""
    return Comparison.objects.filter(process=process).values("participant_id").distinct().count()


def next_pair(*, process: Process, participant: Participant) -> tuple[Idea, Idea] | None:
    """The pair to show next: the most informative one, varied between residents."""
    ideas = {str(idea.pk): idea for idea in idea_list(process=process)}
    if len(ideas) < 2:
        return None
    rows = Comparison.objects.filter(process=process).values_list(
        "winner_id", "loser_id", "participant_id"
    )
    ranking = fit_ranking(
        ideas=list(ideas), comparisons=[(str(w), str(lo), p) for w, lo, p in rows]
    )
    seed = participant.pk * 1_000_003 + len(rows)
    left, right = choose_next_pair(ranking, np.random.default_rng(seed))
    return ideas[left], ideas[right]


@dataclass(frozen=True)
class RankedIdea:
    """An idea's standing; ``rank`` is None while it has too few comparisons to be placed
    (``comparisons``: how many residents' choices it took part in)."""

    idea: Idea
    score: IdeaScore
    rank: int | None
    comparisons: int


@dataclass(frozen=True)
class GroupRanking:
    variable: str
    group: str
    label: str
    participants: int
    top: tuple[RankedIdea, ...]


@dataclass(frozen=True)
class RoundResults:
    """A round's ranking, overall and by group; groups below the threshold are not shown."""

    ideas: int
    comparisons: int
    participants: int
    weighted_by: tuple[str, ...]
    overall: tuple[RankedIdea, ...]
    groups: tuple[GroupRanking, ...]
    suppressed_groups: int
    threshold: int
    enough_comparisons: int = ENOUGH_COMPARISONS


def round_results(*, process: Process) -> RoundResults:
    """The ranking overall and for each group of residents the one small-cell rule lets show
    (`cpps.common.disclosure`: small groups, and a complement where the rest would give one
    away, are counted in ``suppressed_groups``)."""
    ideas = {str(idea.pk): idea for idea in idea_list(process=process)}
    rows = [
        (str(w), str(lo), p)
        for w, lo, p in Comparison.objects.filter(process=process).values_list(
            "winner_id", "loser_id", "participant_id"
        )
    ]
    voters = {p for _w, _l, p in rows}
    demographics = {
        pk: dict(answers)
        for pk, answers in Participant.objects.filter(pk__in=voters).values_list(
            "pk", "demographics"
        )
    }
    weights = participant_weights(jurisdiction=process.jurisdiction, demographics=demographics)
    overall: tuple[RankedIdea, ...] = ()
    groups: list[GroupRanking] = []
    suppressed = 0
    if len(ideas) >= 2:
        overall = _ranked(ideas, rows, weights.by_participant)
        members: dict[tuple[str, str], set[int]] = defaultdict(set)
        for pk, answers in demographics.items():
            for variable in GROUP_VARIABLES:
                if answers.get(variable):
                    members[(variable, str(answers[variable]))].add(pk)
        withheld = _withheld(members, voters=len(voters))
        for (variable, group), people in sorted(members.items()):
            if (variable, group) in withheld:
                suppressed += 1
                continue
            subset = [row for row in rows if row[2] in people]
            groups.append(
                GroupRanking(
                    variable=variable,
                    group=group,
                    label=_group_label(process, variable, group),
                    participants=len(people),
                    top=tuple(
                        row
                        for row in _ranked(ideas, subset, weights.by_participant)
                        if row.rank is not None
                    )[:3],
                )
            )
    return RoundResults(
        ideas=len(ideas),
        comparisons=len(rows),
        participants=len(voters),
        weighted_by=weights.variables,
        overall=overall,
        groups=tuple(groups),
        suppressed_groups=suppressed,
        threshold=small_cell_threshold(),
    )


def _withheld(members: dict[tuple[str, str], set[int]], *, voters: int) -> set[tuple[str, str]]:
    """The groups the one rule withholds, variable by variable; the people who did not say
    form a group of their own that is never shown (the number of voters is)."""
    withheld: set[tuple[str, str]] = set()
    for variable in GROUP_VARIABLES:
        keys = sorted(key for key in members if key[0] == variable)
        sizes = [len(members[key]) for key in keys]
        hidden = groups_withheld(
            [*sizes, voters - sum(sizes)], unpublished=[False] * len(keys) + [True]
        )
        withheld |= {key for key, held in zip(keys, hidden, strict=False) if held}
    return withheld


def _group_label(process: Process, variable: str, group: str) -> str:
    if variable == "area":
        area = process.jurisdiction.areas.filter(code=group).first()
        return area.name if area else group
    for question in QUESTIONS:
        if question.key == variable:
            choice = dict(question.choices).get(group, group)
            return f"{question.label} {choice}"
    return f"{variable}: {group}"


def _ranked(
    ideas: dict[str, Idea], rows: list[tuple[str, str, int]], weights: dict[int, float]
) -> tuple[RankedIdea, ...]:
    """The ideas placed by what is known: those compared often enough first, numbered, then the
    others without a place ("not enough comparisons yet")."""
    try:
        ranking = fit_ranking(ideas=list(ideas), comparisons=rows, weights=weights)
    except RankingError:
        return ()
    seen: Counter[str] = Counter()
    for winner, loser, _participant in rows:
        seen.update((winner, loser))
    split = split_by_evidence(ranking, comparisons=seen)
    return (
        *(
            RankedIdea(ideas[score.idea], score, place, seen[score.idea])
            for place, score in enumerate(split.ranked, start=1)
        ),
        *(RankedIdea(ideas[score.idea], score, None, seen[score.idea]) for score in split.unranked),
    )
