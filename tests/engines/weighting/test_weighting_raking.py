"""Raking and post-stratification on Chicago's census margins by police district."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cpps.engines.weighting import (
    EmptyCellError,
    Margin,
    MarginTotalsError,
    MissingVariableError,
    RakingConvergenceError,
    UnknownCategoryError,
    WeightingError,
    code_sample,
    poststratify,
    rake,
)

AGE_SEX = tuple(
    f"{sex}_{band}"
    for sex in ("F", "M")
    for band in ("18_24", "25_34", "35_44", "45_54", "55_64", "65_plus")
)
RACE = {
    "hispanic": "pl2020_hispanic_latino",
    "white": "pl2020_nh_white_alone",
    "black": "pl2020_nh_black_alone",
    "asian": "pl2020_nh_asian_alone",
}


def chicago_margins(census: dict[str, dict[str, float]]) -> list[Margin]:
    """Adults by age x sex, residents by race, adults by district: three real census margins."""
    age_sex = {c: sum(d[f"dhc2020_{c}"] for d in census.values()) for c in AGE_SEX}
    race = {r: sum(d[col] for d in census.values()) for r, col in RACE.items()}
    race["other"] = sum(d["pl2020_total_pop"] for d in census.values()) - sum(race.values())
    district = {number: sum(d[f"dhc2020_{c}"] for c in AGE_SEX) for number, d in census.items()}
    return [
        Margin("age_sex", age_sex, "adults"),
        Margin("race", race, "residents"),
        Margin("district", district, "adults"),
    ]


def biased_sample(margins: list[Margin], n: int, seed: int) -> dict[str, np.ndarray]:
    """Answers drawn independently per margin, each tilted away from the census shares."""
    rng = np.random.default_rng(seed)
    columns = {}
    for margin in margins:
        labels = np.array(list(margin.targets))
        shares = np.array(list(margin.shares().values()))
        tilted = shares * np.exp(rng.normal(0, 0.6, size=shares.size))
        columns[margin.variable] = rng.choice(labels, size=n, p=tilted / tilted.sum())
    return columns


def bare_ipf(columns: dict[str, np.ndarray], margins: list[Margin], cycles: int) -> np.ndarray:
    """Textbook IPF on every answer, as an independent reference."""
    n = len(next(iter(columns.values())))
    weights = np.ones(n)
    for _ in range(cycles):
        for margin in margins:
            labels = np.asarray(columns[margin.variable])
            for category, target in margin.targets.items():
                rows = labels == category
                weights[rows] *= target / weights[rows].sum()
    return weights / weights.mean()


def weighted_totals(columns: dict[str, np.ndarray], weights: np.ndarray, margin: Margin) -> dict:
    labels = np.asarray(columns[margin.variable]).astype(str)
    return {c: weights[labels == c].sum() for c in margin.targets}


def test_rake_matches_every_chicago_margin(census_districts):
    margins = chicago_margins(census_districts)
    columns = biased_sample(margins, 5_000, seed=1)
    result = rake(columns, margins, rescale_margins=True, tolerance=1e-10)
    assert result.converged
    scale = result.population_total / result.weights.size
    for margin in margins:
        totals = weighted_totals(columns, result.expansion_weights, margin)
        expected = {c: s * result.population_total for c, s in margin.shares().items()}
        for category in margin.targets:
            assert totals[category] == pytest.approx(expected[category], rel=1e-8)
    assert result.weights.mean() == pytest.approx(1.0)
    assert scale * result.weights.sum() == pytest.approx(result.population_total)


def test_rake_equals_textbook_ipf_on_each_answer(census_districts):
    margins = chicago_margins(census_districts)
    columns = biased_sample(margins, 3_000, seed=2)
    shares = [Margin(m.variable, m.shares(), m.universe) for m in margins]
    ours = rake(columns, shares, tolerance=1e-12, max_iterations=500)
    reference = bare_ipf(columns, shares, cycles=ours.iterations)
    np.testing.assert_allclose(ours.weights, reference, rtol=1e-9)


def test_rake_matches_weightipy(census_districts):
    weightipy = pytest.importorskip("weightipy")
    pandas = pytest.importorskip("pandas")
    margins = chicago_margins(census_districts)
    columns = biased_sample(margins, 3_000, seed=3)
    shares = [Margin(m.variable, m.shares(), m.universe) for m in margins]
    ours = rake(columns, shares, tolerance=1e-12, max_iterations=2_000)
    frame = pandas.DataFrame(columns)
    scheme = weightipy.scheme_from_dict(
        {m.variable: {c: 100 * s for c, s in m.targets.items()} for m in shares}
    )
    theirs = weightipy.weight_dataframe(frame, scheme, weight_column="w", verbose=False)
    np.testing.assert_allclose(ours.weights, theirs["w"].to_numpy(), atol=1e-6)


def test_base_weights_act_like_repeated_answers(census_districts):
    margins = chicago_margins(census_districts)[:2]
    shares = [Margin(m.variable, m.shares()) for m in margins]
    columns = biased_sample(shares, 800, seed=4)
    repeats = np.random.default_rng(5).integers(1, 4, size=800)
    weighted = rake(columns, shares, base_weights=repeats.astype(float), tolerance=1e-12)
    expanded = {v: np.repeat(np.asarray(c), repeats) for v, c in columns.items()}
    plain = rake(expanded, shares, tolerance=1e-12)
    per_answer = weighted.expansion_weights / repeats
    expanded_per_answer = np.repeat(per_answer, repeats)
    np.testing.assert_allclose(expanded_per_answer, plain.expansion_weights, rtol=1e-8)


def test_cap_bounds_weights_and_keeps_margins(census_districts):
    margins = chicago_margins(census_districts)
    columns = biased_sample(margins, 5_000, seed=6)
    free = rake(columns, margins, rescale_margins=True)
    # No cap below the largest census-to-sample share ratio can be met; leave some room above it.
    needed = max(
        share / np.mean(np.asarray(columns[m.variable]) == category)
        for m in margins
        for category, share in m.shares().items()
    )
    cap = 1.5 * needed
    capped = rake(columns, margins, rescale_margins=True, cap=cap, tolerance=1e-6)
    assert free.summary.max_weight > cap
    assert capped.summary.max_weight <= cap * (1 + 1e-6)
    assert capped.trimmed > 0
    assert capped.summary.design_effect < free.summary.design_effect
    for margin in margins:
        totals = weighted_totals(columns, capped.expansion_weights, margin)
        for category, share in margin.shares().items():
            assert totals[category] == pytest.approx(share * capped.population_total, rel=1e-5)


def test_impossible_cap_is_reported():
    columns = {"tenure": ["owner"] * 90 + ["renter"] * 10}
    margins = [Margin("tenure", {"owner": 54, "renter": 46}, "households")]
    with pytest.raises(RakingConvergenceError, match=r"raise the cap"):
        rake(columns, margins, cap=2.0, max_iterations=200)


def test_empty_census_category_is_named():
    columns = {"tenure": ["owner"] * 10}
    margins = [Margin("tenure", {"owner": 54, "renter": 46}, "households")]
    with pytest.raises(EmptyCellError, match=r"No answers in 'renter' of 'tenure'"):
        rake(columns, margins)


def test_category_without_target_is_named():
    columns = {"tenure": ["owner", "renter", "rent-free", "rent-free"]}
    margins = [Margin("tenure", {"owner": 54, "renter": 46})]
    with pytest.raises(UnknownCategoryError, match=r"'rent-free' \(2 answers\)"):
        rake(columns, margins)


def test_margins_of_different_sizes_are_refused():
    columns = {"sex": ["F", "M"], "tenure": ["owner", "renter"]}
    margins = [Margin("sex", {"F": 60, "M": 40}), Margin("tenure", {"owner": 30, "renter": 20})]
    with pytest.raises(MarginTotalsError, match=r"'sex' 100 residents, 'tenure' 50 residents"):
        rake(columns, margins)
    rescaled = rake(columns, margins, rescale_margins=True)
    assert rescaled.population_total == pytest.approx(100)


def test_missing_column_is_named():
    with pytest.raises(MissingVariableError, match=r"'area' has no matching column"):
        rake({"sex": ["F"]}, [Margin("area", {"1": 10})])


def test_bad_cap_is_refused():
    with pytest.raises(WeightingError, match=r"cap of 0.5"):
        rake({"sex": ["F", "M"]}, [Margin("sex", {"F": 1, "M": 1})], cap=0.5)


def test_poststratification_hits_every_joint_cell(census_districts):
    margins = chicago_margins(census_districts)
    district_11 = census_districts["11"]
    table = {(c, "11"): district_11[f"dhc2020_{c}"] for c in AGE_SEX}
    rng = np.random.default_rng(7)
    age_sex = np.concatenate([np.array(AGE_SEX), rng.choice(AGE_SEX, size=400)])
    columns = {"age_sex": age_sex, "district": np.full(age_sex.size, "11")}
    result = poststratify(columns, ["age_sex", "district"], table)
    totals = weighted_totals(columns, result.expansion_weights, margins[0])
    for category in AGE_SEX:
        assert totals[category] == pytest.approx(district_11[f"dhc2020_{category}"])


def test_poststratification_names_empty_cells():
    columns = {"sex": ["F", "F"], "area": ["1", "1"]}
    table = {("F", "1"): 10.0, ("M", "1"): 12.0}
    with pytest.raises(EmptyCellError, match=r"M x 1"):
        poststratify(columns, ["sex", "area"], table)


@st.composite
def samples_with_margins(draw):
    sizes = draw(st.lists(st.integers(2, 4), min_size=1, max_size=3))
    total = draw(st.floats(10.0, 1e6))
    margins = []
    for index, size in enumerate(sizes):
        raw = draw(st.lists(st.floats(0.05, 1.0), min_size=size, max_size=size))
        shares = np.array(raw) / sum(raw)
        margins.append(Margin(f"v{index}", {str(k): total * s for k, s in enumerate(shares)}))
    # Every joint cell answered once guarantees the margins can all be met at once.
    cells = list(itertools.product(*(range(size) for size in sizes)))
    extra = draw(st.lists(st.sampled_from(cells), max_size=60))
    rows = cells + extra
    columns = {f"v{i}": [str(row[i]) for row in rows] for i in range(len(sizes))}
    return columns, margins


@given(samples_with_margins())
@settings(max_examples=60, deadline=None)
def test_raked_margins_match_targets(case):
    columns, margins = case
    result = rake(columns, margins, tolerance=1e-9, max_iterations=20_000)
    assert result.converged
    for margin in margins:
        totals = weighted_totals(columns, result.expansion_weights, margin)
        for category, target in margin.targets.items():
            assert totals[category] == pytest.approx(target, rel=1e-7)


def test_coded_sample_can_be_reused(census_districts):
    margins = chicago_margins(census_districts)
    columns = biased_sample(margins, 1_000, seed=8)
    coded = code_sample(columns, margins)
    assert coded.n == 1_000
    np.testing.assert_array_equal(
        rake(coded, margins, rescale_margins=True).weights,
        rake(columns, margins, rescale_margins=True).weights,
    )


def test_progress_reports_a_shrinking_error(census_districts):
    margins = chicago_margins(census_districts)
    columns = biased_sample(margins, 2_000, seed=9)
    seen = []
    result = rake(
        columns,
        margins,
        rescale_margins=True,
        tolerance=1e-10,
        progress=lambda iteration, error: seen.append((iteration, error)),
    )
    assert [i for i, _ in seen] == list(range(1, result.iterations + 1))
    assert seen[-1][1] == result.max_relative_error <= 1e-10
    assert seen[0][1] > seen[-1][1]


def test_floor_lifts_the_smallest_weights(census_districts):
    margins = chicago_margins(census_districts)
    columns = biased_sample(margins, 5_000, seed=10)
    free = rake(columns, margins, rescale_margins=True)
    # No floor above the smallest census-to-sample share ratio can be met.
    floor = 0.8 * min(
        share / np.mean(np.asarray(columns[m.variable]) == category)
        for m in margins
        for category, share in m.shares().items()
    )
    floored = rake(columns, margins, rescale_margins=True, floor=floor)
    assert free.summary.min_weight < floor
    assert floored.summary.min_weight >= floor * (1 - 1e-6)
    assert floored.trimmed > 0


def test_coded_answers_must_match_the_margins():
    margins = [Margin("tenure", {"owner": 54, "renter": 46})]
    coded = code_sample({"tenure": ["owner", "renter"]}, margins)
    other = [Margin("tenure", {"renter": 46, "owner": 54})]
    with pytest.raises(WeightingError, match=r"prepared for other categories of 'tenure'"):
        rake(coded, other)
    with pytest.raises(WeightingError, match=r"'tenure' has more than one margin"):
        rake({"tenure": ["owner", "renter"]}, margins + margins)
