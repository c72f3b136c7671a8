"""Plain data the weighting engine takes and returns."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, Protocol

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Margin:
    """Census targets for one categorical variable.

    Attributes:
        variable: the answers' column this margin constrains (e.g. ``"age_sex"``).
        targets: category -> population count (or share); every category answers may carry.
        universe: what the counts count, used in messages ("residents", "households").
    """

    variable: str
    targets: Mapping[str, float]
    universe: str = "residents"

    @property
    def total(self) -> float:
        """The population size this margin describes."""
        return float(sum(self.targets.values()))

    def shares(self) -> dict[str, float]:
        """Each category's share of the margin's total."""
        total = self.total
        return {category: count / total for category, count in self.targets.items()}


@dataclass(frozen=True)
class CodedSample:
    """Answers' categorical columns as integer codes into each variable's category list.

    Build it with :func:`code_sample`; rake many times on the same answers without re-encoding.
    """

    n: int
    codes: Mapping[str, IntArray]
    categories: Mapping[str, tuple[str, ...]]


class RakingProgress(Protocol):
    """Told after every raking cycle how far the margins still are from their targets."""

    def __call__(self, iteration: int, max_relative_error: float) -> None:
        """Receive one cycle's largest relative margin error."""


@dataclass(frozen=True)
class WeightsSummary:
    """How far weighting stretched the answers: the numbers a facilitator should look at.

    Attributes:
        n: number of answers.
        design_effect: Kish design effect, n * sum(w^2) / sum(w)^2 (1 means no loss).
        effective_n: n / design_effect, the size of a simple random sample as precise.
        min_weight, max_weight: extremes of the weights scaled to mean 1.
    """

    n: int
    design_effect: float
    effective_n: float
    min_weight: float
    max_weight: float


@dataclass(frozen=True)
class RakingResult:
    """Weights from raking and how they were reached.

    Attributes:
        weights: one weight per answer, scaled to mean 1 (multiply by ``population_total / n``
            for expansion weights that sum to the population).
        population_total: the margins' common total.
        iterations: raking cycles run.
        converged: whether every margin met its target within ``tolerance``.
        max_relative_error: the largest |weighted - target| / target left over any category.
        trimmed: answers whose weight sits at the cap or the floor.
        summary: design effect, effective sample size and weight extremes.
        frequencies: how many answers each weight is for, when rows were cell counts.
    """

    weights: FloatArray
    population_total: float
    iterations: int
    converged: bool
    max_relative_error: float
    trimmed: int
    summary: WeightsSummary
    frequencies: FloatArray | None = None

    @property
    def expansion_weights(self) -> FloatArray:
        """Weights that sum to the population: how many residents each answer stands for."""
        result: FloatArray = self.weights * (self.population_total / self.summary.n)
        return result


@dataclass(frozen=True)
class Estimate:
    """A weighted estimate for the whole jurisdiction or one group, with its uncertainty.

    Attributes:
        variable: the grouping variable, or ``None`` for everyone.
        group: the group's category, or ``None`` for everyone.
        n: answers in the group (with a value).
        population_share: the group's weighted share of all answers.
        value: the weighted mean (or proportion, 0-1).
        standard_error: linearisation (sandwich) standard error that accounts for the weights.
        low, high: the confidence interval.
        design_effect: variance relative to a simple random sample of the same size.
        effective_n: n / design_effect.
    """

    variable: str | None
    group: str | None
    n: int
    population_share: float
    value: float
    standard_error: float
    low: float
    high: float
    design_effect: float
    effective_n: float


Status = Literal["under", "over", "ok"]


@dataclass(frozen=True)
class RepresentationRow:
    """One category's share of the answers against its share of the census."""

    variable: str
    category: str
    universe: str
    sample_count: int
    sample_share: float
    target_share: float
    ratio: float
    weighted_share: float | None
    status: Status
    message: str


@dataclass(frozen=True)
class RepresentativenessReport:
    """Sample vs census for every margin; ``alerts`` lists where outreach is needed."""

    threshold: float
    rows: tuple[RepresentationRow, ...]
    alerts: tuple[RepresentationRow, ...] = field(default=())
