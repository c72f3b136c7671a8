"""Participants weighted to the census, and the weighted figures every capability publishes:
the one bridge between the optional answers about oneself and the weighting engine.

Rows go in as plain data (area codes, demographic categories, numbers); weights, estimates with
intervals, representativeness rows and withheld small groups come back.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from cpps.common.disclosure import count_shown, groups_withheld
from cpps.engines.weighting import (
    CodedSample,
    Estimate,
    Margin,
    RakingConvergenceError,
    RepresentationRow,
    WeightingError,
    rake,
    representativeness,
    weighted_means,
    weighted_proportions,
)
from cpps.jurisdictions.models import Area, CensusFigure, Jurisdiction
from cpps.processes.models import Process

# Variables residents may report that the census also counts, in the order shown.
CENSUS_VARIABLES = ("area", "age_band", "sex", "race_ethnicity")
UNKNOWN = "_unknown"
# Raking merges census categories with fewer answers than this (a statistical rule for stable
# weights, not a disclosure rule: what is published obeys cpps.common.disclosure).
MIN_CELL = 5
MIN_RESPONSES_TO_WEIGHT = 20
# Weights are capped at this multiple of the mean; a looser cap is tried before giving up.
WEIGHT_CAPS = (5.0, 8.0)


@dataclass(frozen=True)
class Respondent:
    """One completed response's grouping columns: area code and demographics (blank = unknown)."""

    groups: Mapping[str, str]


@dataclass(frozen=True)
class Weighting:
    weights: np.ndarray
    weighted: bool
    variables: tuple[str, ...]
    design_effect: float
    effective_n: float
    note: str


def _collapse(sample: Counter[str], targets: Mapping[str, float]) -> dict[str, str]:
    """Merge the census categories with the fewest answers until each group has MIN_CELL."""
    groups: dict[str, list[str]] = {category: [category] for category in targets}
    while len(groups) > 1:
        sizes = sorted(groups, key=lambda g: (sum(sample[c] for c in groups[g]), g))
        smallest = sizes[0]
        if sum(sample[c] for c in groups[smallest]) >= MIN_CELL:
            break
        neighbour = sizes[1]
        merged = f"{neighbour}+{smallest}"
        groups[merged] = groups.pop(neighbour) + groups.pop(smallest)
    return {category: name for name, members in groups.items() for category in members}


def _people(respondents: Sequence[Respondent], counts: Sequence[int] | None) -> list[int]:
    """How many people each row stands for: one each, or a census cell's count."""
    if counts is None:
        return [1] * len(respondents)
    if len(counts) != len(respondents):
        raise ValueError(f"{len(counts)} counts for {len(respondents)} cells")
    return [int(count) for count in counts]


def weighting_margins(
    respondents: Sequence[Respondent],
    census: Mapping[str, Mapping[str, float]],
    *,
    counts: Sequence[int] | None = None,
) -> tuple[dict[str, list[str]], list[Margin]]:
    """Columns and margins for raking, robust to small and incomplete samples.

    Categories with fewer than MIN_CELL answers are merged with their smallest neighbour, and
    people who did not say keep their own share ("unknown"), so that weighting only ever
    corrects the mix of those who did say. With ``counts``, each row is a census cell standing
    for that many respondents.
    """
    people = _people(respondents, counts)
    n = sum(people)
    columns: dict[str, list[str]] = {}
    margins: list[Margin] = []
    for variable in CENSUS_VARIABLES:
        targets = {c: float(v) for c, v in census.get(variable, {}).items() if v > 0}
        if not targets:
            continue
        values = [r.groups.get(variable, "") for r in respondents]
        values = [value if value in targets else UNKNOWN for value in values]
        sample: Counter[str] = Counter()
        for value, standing_for in zip(values, people, strict=True):
            if value != UNKNOWN:
                sample[value] += standing_for
        known = sum(sample.values())
        if known < MIN_CELL:
            continue
        group_of = _collapse(sample, targets)
        if len(set(group_of.values())) < 2:
            continue
        grouped_targets: dict[str, float] = {}
        for category, count in targets.items():
            grouped_targets[group_of[category]] = grouped_targets.get(group_of[category], 0) + count
        total = sum(grouped_targets.values())
        scaled = {g: count / total * known for g, count in grouped_targets.items()}
        column = [group_of[value] if value != UNKNOWN else UNKNOWN for value in values]
        if known < n:
            scaled[UNKNOWN] = float(n - known)
        columns[variable] = column
        margins.append(Margin(variable=variable, targets=scaled))
    return columns, margins


def census_weights(
    respondents: Sequence[Respondent],
    census: Mapping[str, Mapping[str, float]],
    *,
    counts: Sequence[int] | None = None,
) -> Weighting:
    """Rake respondents (a survey's answers, a conversation's voters) to the census of their
    areas; fall back to equal weights, saying why. With ``counts``, each row is a census cell
    standing for that many respondents, and gets the weight each of them would get."""
    people = _people(respondents, counts)
    n = sum(people)
    ones = np.ones(len(respondents), dtype=np.float64)
    if n < MIN_RESPONSES_TO_WEIGHT:
        return Weighting(ones, False, (), 1.0, float(n), "too_few")
    columns, margins = weighting_margins(respondents, census, counts=counts)
    if not margins:
        return Weighting(ones, False, (), 1.0, float(n), "no_demographics")
    frequencies = None if counts is None else np.asarray(people, dtype=np.float64)
    for cap in WEIGHT_CAPS:
        try:
            result = rake(columns, margins, cap=cap, max_iterations=500, frequencies=frequencies)
        except WeightingError:
            continue
        break
    else:
        return Weighting(ones, False, (), 1.0, float(n), "did_not_converge")
    return Weighting(
        weights=result.weights,
        weighted=True,
        variables=tuple(margin.variable for margin in margins),
        design_effect=result.summary.design_effect,
        effective_n=result.summary.effective_n,
        note="weighted",
    )


@dataclass(frozen=True)
class Figure:
    """A published number: a mean (0-10) or a share (0-1), or withheld for a small group."""

    group: str
    n: int | None
    value: float | None
    low: float | None
    high: float | None

    @property
    def suppressed(self) -> bool:
        return self.value is None


def _figure(estimate: Estimate, label: str, *, withheld: bool = False) -> Figure:
    if withheld or not count_shown(estimate.n) or not np.isfinite(estimate.value):
        return Figure(label, None, None, None, None)
    return Figure(label, estimate.n, estimate.value, estimate.low, estimate.high)


def mean_figures(
    values: Sequence[float],
    weights: np.ndarray,
    groups: Mapping[str, Sequence[str]],
    *,
    counts: Sequence[float] | np.ndarray | None = None,
) -> tuple[Figure, dict[str, list[Figure]]]:
    """The weighted mean for everyone and per group, small groups withheld by the one rule
    (with a complement, so that no withheld group's mean follows from the overall one). With
    ``counts``, each value stands for that many answers."""
    return mean_figures_of(mean_estimates(values, weights, groups, counts=counts), list(groups))


def mean_estimates(
    values: Sequence[float],
    weights: np.ndarray,
    groups: Mapping[str, Sequence[str]],
    *,
    counts: Sequence[float] | np.ndarray | None = None,
) -> tuple[Estimate, ...]:
    """The weighted mean for everyone, then per group of each variable (nothing withheld yet:
    keep them, and publish them through `mean_figures_of`)."""
    y = np.asarray(values, dtype=np.float64)
    by = {name: np.asarray(column, dtype=object) for name, column in groups.items()}
    return weighted_means(y, weights, by=by or None, frequencies=counts)


def mean_figures_of(
    estimates: Sequence[Estimate], variables: Sequence[str]
) -> tuple[Figure, dict[str, list[Figure]]]:
    """`mean_estimates` as published: small groups withheld by the one rule."""
    overall = _figure(estimates[0], "")
    per_variable: dict[str, list[Estimate]] = {name: [] for name in variables}
    for estimate in estimates[1:]:
        if estimate.variable is not None:
            per_variable[estimate.variable].append(estimate)
    breakdowns: dict[str, list[Figure]] = {name: [] for name in variables}
    for variable, found in per_variable.items():
        unknown = [estimate.group in {"", UNKNOWN} for estimate in found]
        withheld = groups_withheld([estimate.n for estimate in found], unpublished=unknown)
        for estimate, hidden, not_said in zip(found, withheld, unknown, strict=True):
            if not not_said:
                breakdowns[variable].append(
                    _figure(estimate, estimate.group or "", withheld=hidden)
                )
    return overall, breakdowns


def share_figures(
    chosen: Sequence[Sequence[str] | None],
    options: Sequence[str],
    weights: np.ndarray,
) -> list[Figure]:
    """The weighted share choosing each option among those who answered (None = no answer)."""
    figures = []
    for option in options:
        indicator = np.array(
            [np.nan if picked is None else float(option in picked) for picked in chosen],
            dtype=np.float64,
        )
        figures.append(share_figure(share_estimate(indicator, weights), option))
    return figures


def share_estimate(
    indicator: np.ndarray,
    weights: np.ndarray,
    *,
    counts: Sequence[float] | np.ndarray | None = None,
) -> Estimate | None:
    """The weighted share of answers with indicator 1 (NaN: no answer); None when nobody
    answered. With ``counts``, each indicator stands for that many answers."""
    answered = ~np.isnan(indicator)
    if counts is not None:
        answered &= np.asarray(counts) > 0
    if not np.any(answered):
        return None
    return weighted_proportions(indicator, weights, frequencies=counts)[0]


def share_figure(estimate: Estimate | None, option: str) -> Figure:
    """`share_estimate` as published: withheld for a small group."""
    if estimate is None:
        return Figure(option, None, None, None, None)
    return _figure(estimate, option)


def missing_groups(
    respondents: Sequence[Respondent],
    census: Mapping[str, Mapping[str, float]],
    *,
    threshold: float = 0.8,
    counts: Sequence[int] | None = None,
) -> list[RepresentationRow]:
    """Every census category's share of the answers against its share of the census.

    Each variable is compared among the people who reported it. Categories with no answers at
    all are included: those are the groups most in need of outreach. With ``counts``, each row
    is a census cell standing for that many respondents.
    """
    people = _people(respondents, counts)
    rows: list[RepresentationRow] = []
    for variable in CENSUS_VARIABLES:
        targets = {c: float(v) for c, v in census.get(variable, {}).items() if v > 0}
        known = [
            (r.groups.get(variable, ""), count)
            for r, count in zip(respondents, people, strict=True)
            if count > 0 and r.groups.get(variable, "") in targets
        ]
        if not targets or not known:
            continue
        labels = tuple(targets)
        index = {label: i for i, label in enumerate(labels)}
        codes = np.repeat(
            np.array([index[v] for v, _count in known], dtype=np.int64),
            [count for _v, count in known],
        )
        sample = CodedSample(
            n=int(codes.size), codes={variable: codes}, categories={variable: labels}
        )
        report = representativeness(
            sample, [Margin(variable=variable, targets=targets)], threshold=threshold
        )
        rows.extend(report.rows)
    return rows


def process_areas(process: Process) -> list[Area]:
    """The areas a process covers: its own, or every area of the jurisdiction (natural order)."""
    return list(process.areas.all()) or list(
        Area.objects.filter(jurisdiction_id=process.jurisdiction_id)
    )


def process_census(process: Process) -> dict[str, dict[str, float]]:
    """Census counts of adults over the process's areas, for every weighting variable.

    Processes ask residents 18 and over, so age, sex and area populations count adults only
    (sex comes from the age-by-sex table). Race and ethnicity counts are of all ages, the only
    ones published per area; children's mix is assumed close enough to adults'.
    """
    areas = process_areas(process)
    census: dict[str, dict[str, float]] = defaultdict(dict)
    figures = CensusFigure.objects.filter(
        area__in=areas, variable__in=["age_band", "age_sex", "race_ethnicity"]
    ).values_list("area__code", "variable", "category", "count")
    for code, table, label, count in figures:
        if label.endswith("under18"):
            continue
        variable, category = (
            ("sex", label.split("_", 1)[0]) if table == "age_sex" else (table, label)
        )
        census[variable][category] = census[variable].get(category, 0.0) + float(count)
        if variable == "age_band":
            census["area"][code] = census["area"].get(code, 0.0) + float(count)
    census["area"] = {
        area.code: census["area"][area.code] for area in areas if area.code in census["area"]
    }
    return dict(census)


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
