"""Raking (iterative proportional fitting) of answers to census margins, with weight trimming.

Raking only ever multiplies a weight by factors that depend on the answer's categories, so every
answer in the same joint cell (age band x sex x race x area ...) ends with the same factor. The
loop therefore runs on the few thousand occupied cells rather than on every answer, which makes a
million answers cost little more than collapsing them into cells once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt

from cpps.engines.weighting._errors import (
    EmptyCellError,
    MarginTotalsError,
    MissingVariableError,
    RakingConvergenceError,
    UnknownCategoryError,
    WeightingError,
)
from cpps.engines.weighting._types import (
    CodedSample,
    FloatArray,
    IntArray,
    Margin,
    RakingProgress,
    RakingResult,
    WeightsSummary,
)

# A dense lookup over every possible cell is faster than sorting until it gets this big.
_DENSE_CELL_LIMIT = 1 << 24
_TOTALS_RELATIVE_TOLERANCE = 1e-6

Column = Sequence[object] | npt.NDArray[np.generic]


def code_sample(columns: Mapping[str, Column], margins: Sequence[Margin]) -> CodedSample:
    """Encode the answers' columns against the margins' categories.

    Values are compared as text, so an ``area`` column of integers matches targets keyed "1", "2".

    Raises:
        MissingVariableError: a margin's variable is not among the columns.
        UnknownCategoryError: answers carry a category the margin does not list (including blanks).
        EmptyCellError: a category has people in the census but no answers.
        WeightingError: columns differ in length, or a category with answers has a target of 0.
    """
    _check_distinct(margins)
    lengths = {len(columns[m.variable]) for m in margins if m.variable in columns}
    if len(lengths) > 1:
        raise WeightingError(f"The answers' columns have different lengths: {sorted(lengths)}.")
    codes: dict[str, IntArray] = {}
    categories: dict[str, tuple[str, ...]] = {}
    for margin in margins:
        if margin.variable not in columns:
            available = ", ".join(sorted(columns)) or "none"
            raise MissingVariableError(
                f"The census margin '{margin.variable}' has no matching column in the answers "
                f"(columns: {available})."
            )
        labels = tuple(str(label) for label in margin.targets)
        codes[margin.variable] = _encode(margin, labels, np.asarray(columns[margin.variable]))
        categories[margin.variable] = labels
    n = lengths.pop() if lengths else 0
    if n == 0:
        raise WeightingError("There are no answers to weight.")
    return CodedSample(n=n, codes=codes, categories=categories)


def _check_distinct(margins: Sequence[Margin]) -> None:
    if not margins:
        raise WeightingError("No margins were given: name a census variable to weight to.")
    variables = [m.variable for m in margins]
    repeated = sorted({v for v in variables if variables.count(v) > 1})
    if repeated:
        raise WeightingError(
            f"{', '.join(map(repr, repeated))} has more than one margin; combine them into one."
        )


def _check_coded(coded: CodedSample, margins: Sequence[Margin]) -> None:
    for margin in margins:
        labels = tuple(str(label) for label in margin.targets)
        if coded.categories.get(margin.variable) != labels:
            raise WeightingError(
                f"The coded answers were prepared for other categories of '{margin.variable}'; "
                f"code them again against these margins."
            )


def _encode(margin: Margin, labels: tuple[str, ...], values: npt.NDArray[np.generic]) -> IntArray:
    uniques, inverse = np.unique(values, return_inverse=True)
    position = {label: index for index, label in enumerate(labels)}
    unique_labels = [str(value) for value in uniques.tolist()]
    counts = np.bincount(inverse, minlength=len(uniques))
    unknown = [
        f"'{label}' ({count} answers)"
        for label, count in zip(unique_labels, counts.tolist(), strict=True)
        if label not in position
    ]
    if unknown:
        raise UnknownCategoryError(
            f"Answers to '{margin.variable}' include {', '.join(unknown[:5])} with no census "
            f"target; add the category to the targets, or recode or drop those answers."
        )
    lookup = np.array([position[label] for label in unique_labels], dtype=np.int64)
    coded: IntArray = lookup[inverse.reshape(-1)]
    per_category = np.bincount(coded, minlength=len(labels))
    targets = np.array([float(margin.targets[label]) for label in margin.targets])
    empty = [
        f"'{label}'"
        for label, count, target in zip(labels, per_category, targets, strict=True)
        if count == 0 and target > 0
    ]
    if empty:
        raise EmptyCellError(
            f"No answers in {', '.join(empty)} of '{margin.variable}', which has "
            f"{margin.universe} in the census; reach out to that group or merge it with a "
            f"neighbouring category."
        )
    zero = [
        f"'{label}'"
        for label, count, target in zip(labels, per_category, targets, strict=True)
        if count > 0 and target <= 0
    ]
    if zero:
        raise WeightingError(
            f"{', '.join(zero)} of '{margin.variable}' has answers but a census target of 0; "
            f"check the targets file."
        )
    return coded


def check_margin_totals(margins: Sequence[Margin], *, rescale: bool) -> tuple[Margin, ...]:
    """Return margins with one common total, rescaling them to the first one's if asked.

    Raises:
        MarginTotalsError: the totals differ and ``rescale`` is false.
    """
    totals = [margin.total for margin in margins]
    reference = totals[0]
    if reference <= 0:
        raise MarginTotalsError(f"The margin '{margins[0].variable}' has no people in it.")
    if all(abs(total - reference) <= _TOTALS_RELATIVE_TOLERANCE * reference for total in totals):
        return tuple(margins)
    if not rescale:
        described = ", ".join(
            f"'{m.variable}' {total:,.0f} {m.universe}"
            for m, total in zip(margins, totals, strict=True)
        )
        raise MarginTotalsError(
            f"The margins describe populations of different sizes ({described}); use targets "
            f"from one universe, or rescale them to shares (--rescale)."
        )
    return tuple(
        Margin(
            variable=m.variable,
            targets={c: v * reference / total for c, v in m.targets.items()},
            universe=m.universe,
        )
        for m, total in zip(margins, totals, strict=True)
    )


def summarize_weights(
    weights: FloatArray, *, frequencies: FloatArray | None = None
) -> WeightsSummary:
    """Kish design effect, effective sample size and extremes of ``weights`` (any scale); with
    ``frequencies``, each weight is that of as many answers."""
    if frequencies is None:
        n = int(weights.size)
        total = float(weights.sum())
        squares = float(np.einsum("i,i->", weights, weights)) if n else 0.0
        present = weights
    else:
        n = round(float(frequencies.sum()))
        total = float(np.einsum("i,i->", frequencies, weights))
        squares = float(np.einsum("i,i,i->", frequencies, weights, weights))
        present = weights[frequencies > 0]
    if n == 0 or total <= 0:
        raise WeightingError("Weights must be non-negative with a positive total.")
    # einsum, not np.dot: BLAS thread start-up costs more than the sum itself on small vectors.
    design_effect = n * squares / total**2
    scaled = present * (n / total)
    return WeightsSummary(
        n=n,
        design_effect=design_effect,
        effective_n=n / design_effect,
        min_weight=float(scaled.min()),
        max_weight=float(scaled.max()),
    )


def rake(
    sample: CodedSample | Mapping[str, Column],
    margins: Sequence[Margin],
    *,
    base_weights: Sequence[float] | FloatArray | None = None,
    cap: float | None = None,
    floor: float | None = None,
    tolerance: float = 1e-6,
    max_iterations: int = 1000,
    rescale_margins: bool = False,
    progress: RakingProgress | None = None,
    frequencies: Sequence[float] | FloatArray | None = None,
) -> RakingResult:
    """Rake answers so their weighted counts match every census margin at once.

    Args:
        sample: the answers' categorical columns (or a :class:`CodedSample` of them).
        margins: census targets, one per variable; they must share a total unless
            ``rescale_margins``.
        base_weights: design weights to start from (default: all 1).
        cap: largest weight allowed, as a multiple of the mean weight (e.g. 5).
        floor: smallest weight allowed, as a multiple of the mean weight (e.g. 0.2).
        tolerance: stop when every category is within this relative error of its target.
        max_iterations: raking cycles to try before giving up.
        rescale_margins: scale every margin to the first margin's total (use when margins come
            from different universes, e.g. adults for age and all ages for race).
        progress: told after each cycle how far the margins still are.
        frequencies: how many identical answers each row stands for (counts per census cell),
            so that raking a table of cell counts gives each cell the weight every one of its
            answers would get when raked one row each (caps and the mean apply to answers).

    Returns:
        Weights scaled to mean 1 (over the answers the rows stand for), with the convergence
        report and design effect.

    Raises:
        WeightingError: (and subclasses) for inputs that cannot be weighted, see
            :func:`code_sample`; ``RakingConvergenceError`` when the cap or floor cannot be met.
    """
    margins = check_margin_totals(margins, rescale=rescale_margins)
    if isinstance(sample, CodedSample):
        _check_distinct(margins)
        _check_coded(sample, margins)
        coded = sample
    else:
        coded = code_sample(sample, margins)
    base = _base_weights(base_weights, coded.n)
    counts = _row_frequencies(frequencies, coded.n)
    people = coded.n if counts is None else round(float(counts.sum()))
    if people == 0:
        raise WeightingError("There are no answers to weight.")
    _check_bounds(cap, floor)
    uniform_base = bool(np.all(base == base[0]))
    unit_of, unit_mass, unit_codes = _collapse(
        coded, margins, base if counts is None else base * counts, by_cell=uniform_base
    )
    targets = [
        np.array([float(m.targets[c]) for c in m.targets], dtype=np.float64) for m in margins
    ]
    total = float(targets[0].sum())
    # Caps apply to each answer's weight, so with unequal base weights the units are answers.
    unit_base = base[0] if uniform_base else base
    factors, iterations, error = _fit(
        unit_mass,
        unit_codes,
        targets,
        bounds=_absolute_bounds(cap, floor, total, people, unit_base),
        tolerance=tolerance,
        max_iterations=max_iterations,
        progress=progress,
    )
    converged = error <= tolerance
    if not converged and (cap is not None or floor is not None):
        raise RakingConvergenceError(
            f"Raking with weights between {floor or 0:g} and {cap or float('inf'):g} times the "
            f"mean left a margin {error:.1%} off its target after {iterations} cycles; raise the "
            f"cap, lower the floor, or merge small categories."
        )
    weights = base * factors[unit_of]
    mass = float(weights.sum()) if counts is None else float(np.einsum("i,i->", counts, weights))
    weights *= people / mass
    at_bound = _at_bound(weights, cap, floor)
    trimmed = int(at_bound.sum()) if counts is None else round(float(counts[at_bound].sum()))
    return RakingResult(
        weights=weights,
        population_total=total,
        iterations=iterations,
        converged=converged,
        max_relative_error=error,
        trimmed=trimmed,
        summary=summarize_weights(weights, frequencies=counts),
        frequencies=counts,
    )


def _row_frequencies(
    frequencies: Sequence[float] | FloatArray | None, rows: int
) -> FloatArray | None:
    if frequencies is None:
        return None
    counts = np.asarray(frequencies, dtype=np.float64)
    if counts.shape != (rows,):
        raise WeightingError(f"There are {counts.size} frequencies for {rows} rows of answers.")
    if np.any(counts < 0) or np.any(counts != np.round(counts)):
        raise WeightingError("Frequencies must be whole numbers of answers, 0 or more.")
    return counts


def _base_weights(base_weights: Sequence[float] | FloatArray | None, n: int) -> FloatArray:
    if base_weights is None:
        return np.ones(n, dtype=np.float64)
    base = np.asarray(base_weights, dtype=np.float64)
    if base.shape != (n,):
        raise WeightingError(f"There are {base.size} base weights for {n} answers.")
    if not np.all(np.isfinite(base)) or np.any(base <= 0):
        raise WeightingError("Base weights must be positive numbers.")
    return base


def _check_bounds(cap: float | None, floor: float | None) -> None:
    if cap is not None and cap <= 1:
        raise WeightingError(f"A weight cap of {cap:g} forces every weight to the mean; use > 1.")
    if floor is not None and not 0 <= floor < 1:
        raise WeightingError(f"A weight floor of {floor:g} must lie in [0, 1).")


def _absolute_bounds(
    cap: float | None,
    floor: float | None,
    total: float,
    n: int,
    unit_base: float | FloatArray,
) -> tuple[FloatArray | float, FloatArray | float] | None:
    """Translate caps relative to the mean weight into bounds on each unit's raking factor."""
    if cap is None and floor is None:
        return None
    mean_weight = total / n
    upper = np.inf if cap is None else cap * mean_weight / unit_base
    lower = 0.0 if floor is None else floor * mean_weight / unit_base
    return lower, upper


def _collapse(
    coded: CodedSample, margins: Sequence[Margin], base: FloatArray, *, by_cell: bool
) -> tuple[IntArray, FloatArray, list[IntArray]]:
    """Group answers into units that raking treats alike: joint cells, or single answers."""
    variables = [m.variable for m in margins]
    if not by_cell:
        return (
            np.arange(coded.n, dtype=np.int64),
            base,
            [coded.codes[v] for v in variables],
        )
    sizes = [len(coded.categories[v]) for v in variables]
    keys = np.zeros(coded.n, dtype=np.int64)
    stride = 1
    for variable, size in zip(variables, sizes, strict=True):
        keys += coded.codes[variable] * stride
        stride *= size
    if stride <= max(_DENSE_CELL_LIMIT, 4 * coded.n):
        mass_all = np.bincount(keys, weights=base, minlength=stride)
        cells: IntArray = np.flatnonzero(mass_all).astype(np.int64)
        lookup = np.zeros(stride, dtype=np.int64)
        lookup[cells] = np.arange(cells.size)
        unit_of: IntArray = lookup[keys]
        mass: FloatArray = mass_all[cells].astype(np.float64)
    else:
        unique_cells, inverse = np.unique(keys, return_inverse=True)
        cells = unique_cells.astype(np.int64)
        unit_of = inverse.reshape(-1).astype(np.int64)
        mass = np.bincount(unit_of, weights=base).astype(np.float64)
    unit_codes = []
    stride = 1
    for size in sizes:
        unit_codes.append((cells // stride) % size)
        stride *= size
    return unit_of, mass, unit_codes


def _fit(
    mass: FloatArray,
    codes: list[IntArray],
    targets: list[FloatArray],
    *,
    bounds: tuple[FloatArray | float, FloatArray | float] | None,
    tolerance: float,
    max_iterations: int,
    progress: RakingProgress | None,
) -> tuple[FloatArray, int, float]:
    """Iterate proportional fitting on the units; return factors, cycles and the final error."""
    factors = np.ones(mass.size, dtype=np.float64)
    error = _max_relative_error(mass * factors, codes, targets)
    iterations = 0
    while error > tolerance and iterations < max_iterations:
        iterations += 1
        for code, target in zip(codes, targets, strict=True):
            current = np.bincount(code, weights=mass * factors, minlength=target.size)
            ratio = np.divide(target, current, out=np.ones_like(target), where=current > 0)
            factors *= ratio[code]
        if bounds is not None:
            np.clip(factors, bounds[0], bounds[1], out=factors)
        error = _max_relative_error(mass * factors, codes, targets)
        if progress is not None:
            progress(iterations, error)
    return factors, iterations, error


def _max_relative_error(
    weighted: FloatArray, codes: list[IntArray], targets: list[FloatArray]
) -> float:
    worst = 0.0
    for code, target in zip(codes, targets, strict=True):
        current = np.bincount(code, weights=weighted, minlength=target.size)
        positive = target > 0
        if np.any(positive):
            worst = max(worst, float(np.max(np.abs(current[positive] / target[positive] - 1))))
    return worst


def _at_bound(weights: FloatArray, cap: float | None, floor: float | None) -> npt.NDArray[np.bool_]:
    at_bound = np.zeros(weights.size, dtype=bool)
    if cap is not None:
        at_bound |= weights >= cap * (1 - 1e-9)
    if floor is not None and floor > 0:
        at_bound |= weights <= floor * (1 + 1e-9)
    return at_bound
