"""Weighting a table of cell counts gives every answer the weight, and every group the estimate,
that weighting the answers one row each gives (Chicago's census margins by police district)."""

from __future__ import annotations

import numpy as np
import pytest

from cpps.engines.weighting import (
    WeightingError,
    rake,
    weighted_means,
    weighted_proportions,
)
from tests.engines.weighting.test_weighting_raking import biased_sample, chicago_margins


def collapsed(columns: dict[str, np.ndarray], values: np.ndarray):
    """The answers as (cell, value) rows with their counts, and each answer's row."""
    keys = list(zip(*(columns[v].tolist() for v in columns), values.tolist(), strict=True))
    rows = sorted(set(keys))
    row_of = {key: index for index, key in enumerate(rows)}
    counts = np.bincount([row_of[key] for key in keys], minlength=len(rows)).astype(float)
    table = {v: np.array([row[i] for row in rows]) for i, v in enumerate(columns)}
    return table, np.array([row[-1] for row in rows]), counts, np.array([row_of[k] for k in keys])


@pytest.mark.parametrize("cap", [None, 5.0])
def test_raking_counts_gives_each_answer_its_weight(census_districts, cap):
    margins = chicago_margins(census_districts)
    columns = biased_sample(margins, 6000, seed=7)
    by_row = rake(columns, margins, cap=cap, rescale_margins=True)
    table, _values, counts, row_of = collapsed(columns, np.zeros(6000))
    by_count = rake(table, margins, cap=cap, rescale_margins=True, frequencies=counts)
    np.testing.assert_allclose(by_count.weights[row_of], by_row.weights, rtol=1e-12)
    assert by_count.iterations == by_row.iterations
    assert by_count.trimmed == by_row.trimmed
    assert by_count.summary.n == 6000
    assert by_count.summary.design_effect == pytest.approx(by_row.summary.design_effect, 1e-12)
    assert by_count.expansion_weights[row_of].sum() == pytest.approx(by_row.population_total)


def test_estimates_on_counts_equal_estimates_on_answers(census_districts):
    margins = chicago_margins(census_districts)
    columns = biased_sample(margins, 5000, seed=11)
    rng = np.random.default_rng(3)
    values = rng.integers(0, 11, size=5000).astype(float)
    values[rng.random(5000) < 0.1] = np.nan  # some did not answer
    weights = rake(columns, margins, rescale_margins=True).weights
    by = {"district": columns["district"]}
    one_by_one = weighted_means(values, weights, by=by)
    table, cell_values, counts, row_of = collapsed(columns, values)
    cell_weights = np.zeros(len(counts))
    cell_weights[row_of] = weights
    counted = weighted_means(
        cell_values, cell_weights, by={"district": table["district"]}, frequencies=counts
    )
    assert len(counted) == len(one_by_one)
    for mine, theirs in zip(counted, one_by_one, strict=True):
        assert (mine.variable, mine.group, mine.n) == (theirs.variable, theirs.group, theirs.n)
        for name in ("value", "standard_error", "low", "high", "design_effect", "effective_n"):
            assert getattr(mine, name) == pytest.approx(getattr(theirs, name), rel=1e-9)
    yes = (values >= 5).astype(float)
    yes[np.isnan(values)] = np.nan
    table, cell_yes, counts, row_of = collapsed(columns, yes)
    cell_weights = np.zeros(len(counts))
    cell_weights[row_of] = weights
    share = weighted_proportions(cell_yes, cell_weights, frequencies=counts)[0]
    reference = weighted_proportions(yes, weights)[0]
    assert share.n == reference.n
    assert (share.value, share.low, share.high) == pytest.approx(
        (reference.value, reference.low, reference.high), rel=1e-9
    )


def test_frequencies_must_be_whole_counts():
    with pytest.raises(WeightingError, match="whole numbers of answers"):
        weighted_means([1.0, 2.0], [1.0, 1.0], frequencies=[1.5, 2])
    with pytest.raises(WeightingError, match="2 frequencies for 3 rows"):
        weighted_means([1.0, 2.0, 3.0], [1.0, 1.0, 1.0], frequencies=[1, 2])
