"""Weighted estimates and their intervals, and recovery of Chicago's published district scores."""

from __future__ import annotations

import numpy as np
import pytest

from cpps.engines.weighting import (
    Margin,
    WeightingError,
    draw_answers,
    fit_cell_means,
    rake,
    weighted_means,
    weighted_proportions,
)

# Who answers online surveys more readily, in log-odds (older, white, women more; young men,
# Black and Latino residents less), so unweighted district means are biased.
RESPONSE_BIAS = {
    ("race", "white"): 0.7,
    ("race", "black"): -0.5,
    ("race", "hispanic"): -0.6,
    ("age", "18-34"): -0.7,
    ("age", "55+"): 0.6,
    ("sex", "M"): -0.3,
}
ANSWERS_PER_DISTRICT = 600
SPREAD = 25.0  # points on the 0-100 scale: individual answers vary widely around group means


def test_equal_weights_give_the_textbook_mean_and_standard_error():
    rng = np.random.default_rng(1)
    values = rng.normal(50, 20, size=300)
    overall = weighted_means(values, np.ones(300))[0]
    assert overall.value == pytest.approx(values.mean())
    assert overall.standard_error == pytest.approx(values.std(ddof=1) / np.sqrt(300))
    assert overall.design_effect == pytest.approx(1.0)
    assert overall.high - overall.low == pytest.approx(
        2 * 1.9679 * overall.standard_error, rel=1e-3
    )


def test_unanswered_questions_are_left_out():
    estimates = weighted_means([10.0, np.nan, 30.0], [1.0, 5.0, 3.0])
    assert estimates[0].value == pytest.approx(25.0)
    assert estimates[0].n == 2


def test_intervals_cover_the_truth_under_unequal_selection():
    """95% intervals built from weighted answers contain the population mean about 95% of the
    time, and are wider on average than intervals that ignore the weights."""
    rng = np.random.default_rng(2)
    group = rng.random(50_000) < 0.5
    values = rng.normal(0, 1, size=50_000) + group
    truth = values.mean()
    probability = np.where(group, 0.02, 0.004)
    covered = 0
    design_effects = []
    for _ in range(300):
        chosen = rng.random(values.size) < probability
        estimate = weighted_means(values[chosen], 1 / probability[chosen])[0]
        covered += estimate.low <= truth <= estimate.high
        design_effects.append(estimate.design_effect)
    assert 0.92 <= covered / 300 <= 0.98
    assert np.mean(design_effects) > 1.1


def test_proportions_stay_inside_zero_and_one_for_unanimous_groups():
    yes = np.array([1.0] * 12 + [0.0] * 30)
    area = np.array(["north"] * 12 + ["south"] * 30)
    weights = np.linspace(0.5, 2.0, 42)
    by_area = {e.group: e for e in weighted_proportions(yes, weights, by={"area": area})[1:]}
    assert by_area["north"].value == 1.0
    assert by_area["north"].high == 1.0
    assert 0.6 < by_area["north"].low < 1.0
    assert by_area["south"].low == 0.0
    assert by_area["north"].population_share == pytest.approx(weights[:12].sum() / weights.sum())


def test_proportion_answers_must_be_yes_or_no():
    with pytest.raises(WeightingError, match=r"coded 1 \(yes\) or 0 \(no\)"):
        weighted_proportions([1.0, 2.0], [1.0, 1.0])


def race_category(district, race: str) -> str:
    """Races under 3% of a district's adults are merged into 'other': too few to rake alone."""
    races = district.categories[0]
    shares = district.population.sum(axis=(1, 2)) / district.population.sum()
    small = shares[races.index(race)] < 0.03
    return f"{district.number}:{'other' if small else race}"


def synthesize(districts: list, seed: int) -> tuple[dict[str, list[str]], np.ndarray]:
    """Answers per district whose group means reproduce the published Police Sentiment Scores."""
    rng = np.random.default_rng(seed)
    columns: dict[str, list[str]] = {"district": [], "race": [], "age_sex": []}
    values = []
    for district in districts:
        model = fit_cell_means(
            district.population,
            district.variables,
            district.categories,
            district.safety,
            district.group_safety,
        )
        answers, scores = draw_answers(
            model, ANSWERS_PER_DISTRICT, response_bias=RESPONSE_BIAS, spread=SPREAD, rng=rng
        )
        columns["district"] += [district.number] * ANSWERS_PER_DISTRICT
        columns["race"] += [race_category(district, race) for race in answers["race"]]
        columns["age_sex"] += [
            f"{district.number}:{age}:{sex}"
            for age, sex in zip(answers["age"], answers["sex"], strict=True)
        ]
        values.append(scores)
    return columns, np.concatenate(values)


def district_margins(districts: list) -> list[Margin]:
    """Race within district and age x sex within district, from the census (adults)."""
    race, age_sex = {}, {}
    for district in districts:
        races, ages, sexes = district.categories
        for r, race_name in enumerate(races):
            key = race_category(district, race_name)
            race[key] = race.get(key, 0.0) + district.population[r].sum()
        for a, age in enumerate(ages):
            for s, sex in enumerate(sexes):
                age_sex[f"{district.number}:{age}:{sex}"] = district.population[:, a, s].sum()
    return [Margin("race", race, "adults"), Margin("age_sex", age_sex, "adults")]


def test_synthetic_answers_reproduce_published_group_means(chicago_districts):
    for district in chicago_districts:
        model = fit_cell_means(
            district.population,
            district.variables,
            district.categories,
            district.safety,
            district.group_safety,
        )
        assert model.overall_mean == pytest.approx(district.safety, abs=0.05)
        # Ten published group means, four free effects: an additive model cannot hit them all,
        # but it stays within a few points of each.
        gaps = [
            abs(model.group_mean(variable, category) - published)
            for (variable, category), published in district.group_safety.items()
        ]
        assert np.median(gaps) < 4.0


def test_raking_recovers_published_district_safety_scores(chicago_districts):
    """Weighted district means land within 4 standard errors of the published SAFETY score in
    every district (the answers only differ from the published figures by sampling noise, and
    raking removes the response bias); unweighted means miss by much more."""
    columns, values = synthesize(chicago_districts, seed=2023)
    result = rake(columns, district_margins(chicago_districts), tolerance=1e-8)
    weighted = {e.group: e for e in weighted_means(values, result.weights, by=columns)[1:]}
    unweighted = {e.group: e for e in weighted_means(values, np.ones(values.size), by=columns)[1:]}
    weighted_errors, unweighted_errors = [], []
    for district in chicago_districts:
        estimate = weighted[district.number]
        assert estimate.variable == "district"
        assert abs(estimate.value - district.safety) < 4 * estimate.standard_error
        assert (
            estimate.low < district.safety < estimate.high
            or abs(estimate.value - district.safety) < 4 * estimate.standard_error
        )
        weighted_errors.append(estimate.value - district.safety)
        unweighted_errors.append(unweighted[district.number].value - district.safety)
    weighted_rmse = float(np.sqrt(np.mean(np.square(weighted_errors))))
    unweighted_rmse = float(np.sqrt(np.mean(np.square(unweighted_errors))))
    assert weighted_rmse < 0.7 * unweighted_rmse
    assert 1.0 < result.summary.design_effect < 3.0
