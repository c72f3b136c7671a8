"""Weighted means and proportions with confidence intervals that account for the weights.

Standard errors use Taylor linearisation of the ratio estimator sum(w*y)/sum(w), treating the
sample as drawn with replacement; for a subgroup the domain estimator is linearised over the whole
sample. This ignores the (variance-reducing) calibration to the margins, so intervals err wide.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from scipy import stats

from cpps.engines.weighting._errors import WeightingError
from cpps.engines.weighting._raking import Column
from cpps.engines.weighting._types import Estimate, FloatArray


def weighted_means(
    values: Sequence[float] | FloatArray,
    weights: Sequence[float] | FloatArray,
    *,
    by: Mapping[str, Column] | None = None,
    confidence: float = 0.95,
    frequencies: Sequence[float] | FloatArray | None = None,
) -> tuple[Estimate, ...]:
    """Weighted mean of ``values`` for everyone and for every category of each ``by`` column.

    Missing values (NaN) are left out, as unanswered questions. Intervals are Student-t with
    n - 1 degrees of freedom around the linearised standard error. With ``frequencies``, each
    row stands for that many identical answers (counts per cell and value): the estimates are
    those of the answers the rows stand for.

    Returns:
        One estimate for everyone first, then one per (variable, category) in sorted order.
    """
    return _estimate(
        values, weights, by=by, confidence=confidence, proportion=False, frequencies=frequencies
    )


def weighted_proportions(
    indicator: Sequence[float] | FloatArray,
    weights: Sequence[float] | FloatArray,
    *,
    by: Mapping[str, Column] | None = None,
    confidence: float = 0.95,
    frequencies: Sequence[float] | FloatArray | None = None,
) -> tuple[Estimate, ...]:
    """Weighted share of answers where ``indicator`` is 1 (0 otherwise, NaN = unanswered).

    Intervals are Wilson score intervals on the design-effective sample size, so they stay inside
    [0, 1] and do not collapse when every answer in a small group agrees. ``frequencies`` as in
    `weighted_means`.
    """
    array = np.asarray(indicator, dtype=np.float64)
    answered = array[~np.isnan(array)]
    if np.any((answered != 0) & (answered != 1)):
        raise WeightingError("A proportion needs answers coded 1 (yes) or 0 (no).")
    return _estimate(
        array, weights, by=by, confidence=confidence, proportion=True, frequencies=frequencies
    )


def _estimate(
    values: Sequence[float] | FloatArray,
    weights: Sequence[float] | FloatArray,
    *,
    by: Mapping[str, Column] | None,
    confidence: float,
    proportion: bool,
    frequencies: Sequence[float] | FloatArray | None,
) -> tuple[Estimate, ...]:
    y = np.asarray(values, dtype=np.float64)
    w = np.asarray(weights, dtype=np.float64)
    if y.shape != w.shape or y.ndim != 1:
        raise WeightingError(f"There are {w.size} weights for {y.size} answers.")
    f = _frequencies(frequencies, y.size)
    if not 0 < confidence < 1:
        raise WeightingError(f"Confidence must lie between 0 and 1, not {confidence:g}.")
    if np.any(w < 0) or not np.all(np.isfinite(w)):
        raise WeightingError("Weights must be non-negative numbers.")
    answered = ~np.isnan(y)
    total_weight = float((f * w)[answered].sum())
    if total_weight <= 0:
        raise WeightingError("No answered question carries any weight.")
    everyone = answered
    results = [
        _one(
            y,
            w=w,
            f=f,
            mask=everyone,
            variable=None,
            group=None,
            total_weight=total_weight,
            confidence=confidence,
            proportion=proportion,
        )
    ]
    for variable, column in sorted((by or {}).items()):
        groups = np.asarray(column).astype(str)
        if groups.shape != y.shape:
            raise WeightingError(f"The column '{variable}' has {groups.size} rows, not {y.size}.")
        for group in np.unique(groups).tolist():
            mask = answered & (groups == group)
            results.append(
                _one(
                    y,
                    w=w,
                    f=f,
                    mask=mask,
                    variable=variable,
                    group=str(group),
                    total_weight=total_weight,
                    confidence=confidence,
                    proportion=proportion,
                )
            )
    return tuple(results)


def _one(
    y: FloatArray,
    *,
    w: FloatArray,
    f: FloatArray,
    mask: np.ndarray,
    variable: str | None,
    group: str | None,
    total_weight: float,
    confidence: float,
    proportion: bool,
) -> Estimate:
    n_all = round(float(f[~np.isnan(y)].sum()))
    yd, wd, fd = y[mask], w[mask], f[mask]
    n = round(float(fd.sum()))
    # Each row's weight times the number of answers it stands for (1 for single answers).
    mass = fd * wd
    weight = float(mass.sum())
    if n == 0 or weight <= 0:
        nan = float("nan")
        return Estimate(variable, group, n, 0.0, nan, nan, nan, nan, nan, 0.0)
    # einsum, not np.dot: BLAS thread start-up costs more than the sum itself per group.
    mean = float(np.einsum("i,i->", mass, yd) / weight)
    residual = wd * (yd - mean) / weight
    # Domain linearisation: answers outside the group contribute zero scores of the whole sample.
    variance = n_all / max(n_all - 1, 1) * float(np.einsum("i,i,i->", fd, residual, residual))
    srs_variance = _srs_variance(yd, mass, mean, n)
    design_effect = variance / srs_variance if srs_variance > 0 else _kish(wd, fd, n)
    effective_n = n / design_effect if design_effect > 0 else float(n)
    se = float(np.sqrt(variance))
    if proportion:
        low, high = _wilson(mean, effective_n, confidence)
    else:
        t = float(stats.t.ppf(0.5 + confidence / 2, max(n - 1, 1)))
        low, high = mean - t * se, mean + t * se
    return Estimate(
        variable=variable,
        group=group,
        n=n,
        population_share=weight / total_weight,
        value=mean,
        standard_error=se,
        low=low,
        high=high,
        design_effect=design_effect,
        effective_n=effective_n,
    )


def _frequencies(frequencies: Sequence[float] | FloatArray | None, size: int) -> FloatArray:
    if frequencies is None:
        return np.ones(size, dtype=np.float64)
    f = np.asarray(frequencies, dtype=np.float64)
    if f.shape != (size,):
        raise WeightingError(f"There are {f.size} frequencies for {size} rows of answers.")
    if np.any(f < 0) or np.any(f != np.round(f)):
        raise WeightingError("Frequencies must be whole numbers of answers, 0 or more.")
    return f


def _srs_variance(y: FloatArray, mass: FloatArray, mean: float, n: int) -> float:
    if n < 2:
        return 0.0
    spread = float(np.einsum("i,i->", mass, (y - mean) ** 2) / mass.sum())
    return spread / (n - 1)


def _kish(w: FloatArray, f: FloatArray, n: int) -> float:
    return float(n * np.einsum("i,i,i->", f, w, w) / np.einsum("i,i->", f, w) ** 2)


def _wilson(p: float, n: float, confidence: float) -> tuple[float, float]:
    z = float(stats.norm.ppf(0.5 + confidence / 2))
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)
