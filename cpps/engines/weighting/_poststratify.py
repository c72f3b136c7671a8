"""Post-stratification: weight answers to a joint census table (every combination known)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from cpps.engines.weighting._errors import EmptyCellError, UnknownCategoryError, WeightingError
from cpps.engines.weighting._raking import Column, summarize_weights
from cpps.engines.weighting._types import FloatArray, RakingResult


def poststratify(
    columns: Mapping[str, Column],
    variables: Sequence[str],
    cell_targets: Mapping[tuple[str, ...], float],
) -> RakingResult:
    """Weight each answer by its joint cell's census count over the cell's number of answers.

    Args:
        columns: the answers' categorical columns.
        variables: the columns that define a cell, in the order of the targets' keys.
        cell_targets: joint census table, (category of each variable, ...) -> count.

    Returns:
        Weights scaled to mean 1 (``iterations`` is 0: there is nothing to iterate).

    Raises:
        UnknownCategoryError: an answer falls in a cell the table does not list.
        EmptyCellError: a cell with people in the census has no answers (rake on the margins
            instead, or merge cells).
    """
    if not variables:
        raise WeightingError("Name the variables that define the post-strata.")
    missing = [v for v in variables if v not in columns]
    if missing:
        raise WeightingError(f"The answers have no column {', '.join(map(repr, missing))}.")
    rows = list(zip(*(np.asarray(columns[v]).astype(str).tolist() for v in variables), strict=True))
    if not rows:
        raise WeightingError("There are no answers to weight.")
    index = {tuple(str(part) for part in cell): i for i, cell in enumerate(cell_targets)}
    targets = np.array([float(value) for value in cell_targets.values()], dtype=np.float64)
    unknown = sorted({row for row in rows if row not in index})
    if unknown:
        shown = ", ".join(" x ".join(cell) for cell in unknown[:5])
        raise UnknownCategoryError(f"Answers fall in cells with no census count: {shown}.")
    cell_of = np.array([index[row] for row in rows], dtype=np.int64)
    counts = np.bincount(cell_of, minlength=targets.size)
    empty = [cell for cell, i in index.items() if counts[i] == 0 and targets[i] > 0]
    if empty:
        shown = ", ".join(" x ".join(cell) for cell in empty[:5])
        raise EmptyCellError(
            f"{len(empty)} census cells have no answers ({shown}); merge cells or rake to the "
            f"margins instead."
        )
    per_answer: FloatArray = targets[cell_of] / counts[cell_of]
    total = float(targets.sum())
    weights = per_answer * (len(rows) / float(per_answer.sum()))
    return RakingResult(
        weights=weights,
        population_total=total,
        iterations=0,
        converged=True,
        max_relative_error=0.0,
        trimmed=0,
        summary=summarize_weights(weights),
    )
