"""Checks before solving, with messages a facilitator can act on, and the smallest quota fix."""

from __future__ import annotations

from collections.abc import Sequence

import highspy
import numpy as np

from cpps.engines.sortition._highs import PanelModel, new_highs
from cpps.engines.sortition._io import categories_of
from cpps.engines.sortition._model import (
    InfeasibleQuotasError,
    Pool,
    PoolError,
    Quota,
    QuotaError,
    Relaxation,
)
from cpps.engines.sortition._types import TypeTable, build_type_table


def validate(pool: Pool, quotas: Sequence[Quota], size: int) -> TypeTable:
    """Check the pool, quotas and panel size, and return the problem restated over types.

    Raises:
        PoolError: duplicate ids, missing or unknown feature values.
        QuotaError: a bound is negative or min > max, or the size does not fit the pool.
        InfeasibleQuotasError: no panel meets all quotas; carries the smallest relaxation.
    """
    ids = [person.id for person in pool.people]
    if len(set(ids)) != len(ids):
        duplicates = sorted({i for i in ids if ids.count(i) > 1})[:5]
        raise PoolError(f"ids must be unique; repeated: {', '.join(duplicates)}")
    if size < 1:
        raise QuotaError(f"the panel size must be at least 1, not {size}")
    if size > len(pool):
        raise QuotaError(
            f"a panel of {size} cannot be drawn from a pool of {len(pool)} respondents"
        )
    for quota in quotas:
        if quota.min < 0 or quota.min > quota.max:
            raise QuotaError(
                f"category '{quota.category}' value '{quota.value}': min {quota.min} and max "
                f"{quota.max} must satisfy 0 <= min <= max"
            )
    table = build_type_table(pool, quotas)
    if not PanelModel(table, size).solve(np.zeros(table.n_types)):
        problems = _obvious_problems(table, size)
        relaxations = suggest_relaxation(table, size)
        fix = "; ".join(relaxation.describe() for relaxation in relaxations)
        reason = "; ".join(problems) if problems else "the quotas cannot all hold at once"
        message = f"no panel of {size} meets all quotas: {reason}."
        if fix:
            message += f" Smallest fix: {fix}."
        raise InfeasibleQuotasError(message, relaxations)
    return table


def _obvious_problems(table: TypeTable, size: int) -> list[str]:
    available = table.incidence @ table.counts
    problems = [
        f"category '{quota.category}' value '{quota.value}': min {quota.min} but only "
        f"{int(count)} respondent{'s' if count != 1 else ''}"
        for quota, count in zip(table.quotas, available, strict=True)
        if quota.min > count
    ]
    for category in categories_of(table.quotas):
        rows = [quota for quota in table.quotas if quota.category == category]
        low, high = sum(q.min for q in rows), sum(q.max for q in rows)
        if low > size:
            problems.append(f"the mins of category '{category}' add up to {low}, more than {size}")
        if high < size:
            problems.append(
                f"the maxes of category '{category}' add up to {high}, less than {size}"
            )
    return problems


def suggest_relaxation(table: TypeTable, size: int) -> tuple[Relaxation, ...]:
    """Return the quota changes of least total size that make a panel of `size` possible.

    Solves a MILP with a slack on every min (down to 0) and every max (up to the pool size);
    the panel size and household rule stay hard. Empty if even that is impossible (e.g. the
    households leave too few eligible people).
    """
    n_quotas, n_types = table.incidence.shape
    highs = new_highs(mip=True)
    # Columns: type counts, then min slacks, then max slacks.
    n_cols = n_types + 2 * n_quotas
    upper = np.concatenate([table.counts, table.lower, np.full(n_quotas, table.counts.sum())])
    cost = np.concatenate([np.zeros(n_types), np.ones(2 * n_quotas)])
    highs.addCols(
        n_cols,
        cost,
        np.zeros(n_cols),
        upper.astype(np.float64),
        0,
        np.zeros(0, dtype=np.int32),
        np.zeros(0, dtype=np.int32),
        np.zeros(0),
    )
    highs.changeColsIntegrality(
        n_cols, np.arange(n_cols, dtype=np.int32), np.full(n_cols, highspy.HighsVarType.kInteger)
    )
    inf = highspy.kHighsInf
    for row, quota in enumerate(table.quotas):
        (types,) = np.nonzero(table.incidence[row])
        index = np.concatenate([types, [n_types + row]]).astype(np.int32)
        highs.addRow(float(quota.min), inf, len(index), index, np.ones(len(index)))
        index = np.concatenate([types, [n_types + n_quotas + row]]).astype(np.int32)
        coefficients = np.concatenate([np.ones(len(types)), [-1.0]])
        highs.addRow(-inf, float(quota.max), len(index), index, coefficients)
    highs.addRow(
        float(size), float(size), n_types, np.arange(n_types, dtype=np.int32), np.ones(n_types)
    )
    for group in table.households:
        highs.addRow(-inf, 1.0, len(group), np.array(group, dtype=np.int32), np.ones(len(group)))
    highs.run()
    if highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return ()
    values = np.rint(np.asarray(highs.getSolution().col_value)).astype(np.int64)
    relaxations = []
    for row, quota in enumerate(table.quotas):
        down, up = values[n_types + row], values[n_types + n_quotas + row]
        if down:
            relaxations.append(
                Relaxation(quota.category, quota.value, "min", quota.min, quota.min - int(down))
            )
        if up:
            relaxations.append(
                Relaxation(quota.category, quota.value, "max", quota.max, quota.max + int(up))
            )
    return tuple(relaxations)


def relax_quotas(pool: Pool, quotas: Sequence[Quota], size: int) -> tuple[Relaxation, ...]:
    """Return the smallest quota changes that make a panel of `size` possible (none if feasible).

    Raises:
        PoolError: the pool does not match the quota categories.
    """
    return suggest_relaxation(build_type_table(pool, quotas), size)
