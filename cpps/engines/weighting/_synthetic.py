"""Synthetic answers that reproduce published group means, for demos, tests and benchmarks.

Published survey scores (e.g. Chicago's Police Sentiment Scores) give a mean per group (race,
age band, sex) but no individual answers. An additive model, cell mean = overall + race effect +
age effect + sex effect, is fitted so that, averaged over the census mix of cells, each group's
mean matches the published one and the overall mean matches exactly. Answers are then drawn from
a biased sample of cells, so weighting has something to correct.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from cpps.engines.weighting._errors import WeightingError
from cpps.engines.weighting._types import FloatArray, IntArray

# The overall mean is the figure being recovered, so its equation outweighs the group ones.
_OVERALL_EQUATION_WEIGHT = 1e3


@dataclass(frozen=True)
class CellModel:
    """Mean answer in every joint cell, and how the population spreads over the cells.

    Attributes:
        variables: names of the cell dimensions, e.g. ("race", "age", "sex").
        categories: each dimension's categories.
        population: census count per joint cell, shape = the categories' lengths.
        means: model mean answer per joint cell, same shape.
    """

    variables: tuple[str, ...]
    categories: tuple[tuple[str, ...], ...]
    population: FloatArray
    means: FloatArray

    @property
    def overall_mean(self) -> float:
        """The census-weighted mean the model implies for the whole population."""
        return float(np.sum(self.population * self.means) / self.population.sum())

    def group_mean(self, variable: str, category: str) -> float:
        """The census-weighted mean the model implies for one group."""
        axis = self.variables.index(variable)
        index = self.categories[axis].index(category)
        population = np.take(self.population, index, axis=axis)
        means = np.take(self.means, index, axis=axis)
        return float(np.sum(population * means) / population.sum())


def fit_cell_means(
    population: FloatArray,
    variables: Sequence[str],
    categories: Sequence[Sequence[str]],
    overall_mean: float,
    group_means: Mapping[tuple[str, str], float],
) -> CellModel:
    """Fit additive cell means to an overall mean and per-group means under a census mix.

    Args:
        population: census count per joint cell (one axis per variable).
        variables: the axes' names.
        categories: each axis's categories.
        overall_mean: the published mean for everyone (matched to rounding).
        group_means: (variable, category) -> published mean; missing groups are left free.
    """
    shape = tuple(len(c) for c in categories)
    if population.shape != shape or np.any(population < 0) or population.sum() <= 0:
        raise WeightingError(f"The population table must be non-negative with shape {shape}.")
    offsets = np.cumsum([0, *shape])
    design_rows: list[FloatArray] = []
    right: list[float] = []
    for axis, labels in enumerate(categories):
        for index, label in enumerate(labels):
            key = (variables[axis], str(label))
            if key not in group_means:
                continue
            weights = np.take(population, index, axis=axis)
            if weights.sum() <= 0:
                continue
            design_rows.append(_group_row(population, axis, index, offsets))
            right.append(group_means[key])
    design_rows.append(_OVERALL_EQUATION_WEIGHT * _group_row(population, None, 0, offsets))
    right.append(_OVERALL_EQUATION_WEIGHT * overall_mean)
    coefficients, *_ = np.linalg.lstsq(np.array(design_rows), np.array(right), rcond=None)
    means = np.full(shape, coefficients[0], dtype=np.float64)
    for axis, size in enumerate(shape):
        effect = coefficients[1 + offsets[axis] : 1 + offsets[axis] + size]
        means = means + effect.reshape([size if a == axis else 1 for a in range(len(shape))])
    return CellModel(
        variables=tuple(variables),
        categories=tuple(tuple(str(c) for c in labels) for labels in categories),
        population=population.astype(np.float64),
        means=means,
    )


def _group_row(
    population: FloatArray, axis: int | None, index: int, offsets: IntArray
) -> FloatArray:
    """Coefficients of (intercept, effects...) in the census-weighted mean of one group."""
    row = np.zeros(1 + int(offsets[-1]), dtype=np.float64)
    row[0] = 1.0
    group = (
        population if axis is None else np.expand_dims(np.take(population, index, axis=axis), axis)
    )
    for other in range(population.ndim):
        share = _axis_shares(group, other)
        if axis == other:
            share = np.zeros(population.shape[other])
            share[index] = 1.0
        row[1 + offsets[other] : 1 + offsets[other + 1]] = share
    return row


def _axis_shares(group: FloatArray, axis: int) -> FloatArray:
    other_axes = tuple(a for a in range(group.ndim) if a != axis)
    counts = group.sum(axis=other_axes)
    shares: FloatArray = counts / counts.sum()
    return shares


def draw_answers(
    model: CellModel,
    n: int,
    *,
    response_bias: Mapping[tuple[str, str], float],
    spread: float,
    rng: np.random.Generator,
) -> tuple[dict[str, list[str]], FloatArray]:
    """Draw ``n`` answers from the census mix tilted by ``response_bias``.

    Args:
        model: the fitted cell means and census population.
        n: number of answers.
        response_bias: (variable, category) -> log response propensity (0 = neutral).
        spread: standard deviation of individual answers around their cell mean.
        rng: source of randomness.

    Returns:
        The answers' categorical columns and their values.
    """
    ndim = model.population.ndim
    propensity = np.zeros(model.population.shape)
    for axis, (variable, labels) in enumerate(zip(model.variables, model.categories, strict=True)):
        tilt = np.array([response_bias.get((variable, label), 0.0) for label in labels])
        propensity = propensity + tilt.reshape([-1 if a == axis else 1 for a in range(ndim)])
    odds = model.population * np.exp(propensity)
    flat = rng.choice(odds.size, size=n, p=(odds / odds.sum()).ravel())
    positions = np.unravel_index(flat, model.population.shape)
    columns = {
        variable: [labels[i] for i in position.tolist()]
        for variable, labels, position in zip(
            model.variables, model.categories, positions, strict=True
        )
    }
    values: FloatArray = model.means.ravel()[flat] + rng.normal(0.0, spread, size=n)
    return columns, values
