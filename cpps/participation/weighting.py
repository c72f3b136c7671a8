"""Participants weighted to the census: the bridge every capability uses between the
optional answers about oneself and the weighting engine."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from cpps.engines.weighting import Margin, RakingConvergenceError, WeightingError, rake
from cpps.jurisdictions.models import CensusFigure, Jurisdiction

# Self-reported answers that match census variables of the areas, in the order they are raked.
WEIGHTING_VARIABLES = ("age_band", "sex")


@dataclass(frozen=True)
class Weights:
    """One weight per participant (mean 1) and the variables they were raked to (none: all 1)."""

    by_participant: dict[int, float]
    variables: tuple[str, ...]


def census_margins(*, jurisdiction: Jurisdiction, variables: Sequence[str]) -> list[Margin]:
    margins = []
    for variable in variables:
        targets: dict[str, float] = {}
        figures = CensusFigure.objects.filter(
            area__jurisdiction=jurisdiction, area__parent__isnull=True, variable=variable
        ).values_list("category", "count")
        for category, count in figures:
            targets[category] = targets.get(category, 0.0) + float(count)
        if targets:
            margins.append(Margin(variable=variable, targets=targets))
    return margins


def participant_weights(
    *, jurisdiction: Jurisdiction, demographics: dict[int, dict[str, str]]
) -> Weights:
    """Rake the participants who gave every weighting answer to the census; the others (and
    everyone, when raking is impossible) keep weight 1."""
    weights = dict.fromkeys(demographics, 1.0)
    margins = census_margins(jurisdiction=jurisdiction, variables=WEIGHTING_VARIABLES)
    complete = [
        pk
        for pk, answers in demographics.items()
        if all(m.variable in answers and answers[m.variable] in m.targets for m in margins)
    ]
    if not margins or len(complete) < 2:
        return Weights(by_participant=weights, variables=())
    # Categories nobody in the sample chose cannot be weighted up; rake to the others.
    present = [
        Margin(
            variable=m.variable,
            targets={
                c: t
                for c, t in m.targets.items()
                if any(demographics[pk][m.variable] == c for pk in complete)
            },
        )
        for m in margins
    ]
    columns = {m.variable: [demographics[pk][m.variable] for pk in complete] for m in present}
    try:
        try:
            result = rake(columns, present, cap=5.0, rescale_margins=True)
        except RakingConvergenceError:
            # A group is too under-represented for the cap: weight without trimming.
            result = rake(columns, present, rescale_margins=True)
    except WeightingError:
        return Weights(by_participant=weights, variables=())
    for pk, weight in zip(complete, result.weights.tolist(), strict=True):
        weights[pk] = float(weight)
    mean = float(np.mean(list(weights.values())))
    return Weights(
        by_participant={pk: w / mean for pk, w in weights.items()},
        variables=tuple(m.variable for m in present),
    )
