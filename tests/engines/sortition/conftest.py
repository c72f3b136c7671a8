"""Shared helpers for the sortition engine tests: data paths and an independent LEXIMIN."""

from __future__ import annotations

import csv
import itertools
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pytest
from scipy.optimize import linprog

from cpps.engines import sortition
from cpps.engines.sortition import Pool, Quota

DATA = Path(__file__).resolve().parents[3] / "data" / "sortition"


def load_instance(name: str) -> tuple[Pool, tuple[Quota, ...], int]:
    """Pool, quotas and panel size of a runnable instance in `data/sortition/<name>_<k>/`."""
    folder = DATA / name
    quotas = sortition.read_quotas(folder / "categories.csv")
    pool = sortition.read_pool(
        folder / "respondents.csv", categories=sortition.categories_of(quotas)
    )
    return pool, quotas, int(name.rsplit("_", 1)[1])


def reference_curve(name: str, algorithm: str) -> list[float]:
    """The published sorted probabilities of one algorithm (`LexiMin`, `Legacy`, `k/n`)."""
    path = next((DATA / name).glob("*_prob_allocs_data.csv"))
    with path.open(newline="") as handle:
        rows = [row for row in csv.DictReader(handle) if row["algorithm"] == algorithm]
    return sorted(float(row["selection probability"]) for row in rows)


def feasible_panels(pool: Pool, quotas: Sequence[Quota], size: int) -> list[tuple[int, ...]]:
    """Every panel (as pool indices) meeting all quotas and the household rule, by enumeration."""
    people = {person.id: person for person in pool.people}
    return [
        panel
        for panel in itertools.combinations(range(len(pool)), size)
        if sortition.panel_meets_quotas([pool.people[i].id for i in panel], people, quotas, size)
    ]


def brute_force_leximin(n: int, panels: Sequence[tuple[int, ...]]) -> np.ndarray:
    """LEXIMIN marginals over an explicit list of panels, by a sequence of LPs (SciPy).

    Independent of the engine: person-level, every panel enumerated, and a person is fixed when
    a separate LP shows their probability cannot rise above the current level.
    """
    matrix = np.zeros((n, len(panels)))
    for j, panel in enumerate(panels):
        matrix[list(panel), j] = 1.0
    fixed = np.full(n, np.nan)
    while np.isnan(fixed).any():
        unfixed = np.isnan(fixed)
        level = _max_level(matrix, fixed, unfixed)
        for i in np.nonzero(unfixed)[0]:
            if _max_single(matrix, fixed, unfixed, level, i) <= level + 1e-7:
                fixed[i] = level
    return fixed


def _constraints(
    matrix: np.ndarray, fixed: np.ndarray, unfixed: np.ndarray, extra_cols: int
) -> tuple[np.ndarray, np.ndarray]:
    n, m = matrix.shape
    rows, rhs = [], []
    for i in range(n):
        if not unfixed[i]:
            rows.append(np.concatenate([-matrix[i], np.zeros(extra_cols)]))
            rhs.append(-fixed[i] + 1e-9)
    return np.array(rows).reshape(-1, m + extra_cols), np.array(rhs)


def _max_level(matrix: np.ndarray, fixed: np.ndarray, unfixed: np.ndarray) -> float:
    _n, m = matrix.shape
    a_fixed, b_fixed = _constraints(matrix, fixed, unfixed, 1)
    a_open = np.hstack([-matrix[unfixed], np.ones((unfixed.sum(), 1))])
    result = linprog(
        c=np.concatenate([np.zeros(m), [-1.0]]),
        A_ub=np.vstack([a_fixed, a_open]),
        b_ub=np.concatenate([b_fixed, np.zeros(unfixed.sum())]),
        A_eq=np.concatenate([np.ones(m), [0.0]])[None, :],
        b_eq=[1.0],
        bounds=[(0, None)] * m + [(None, None)],
        method="highs",
    )
    assert result.status == 0
    return float(-result.fun)


def _max_single(
    matrix: np.ndarray, fixed: np.ndarray, unfixed: np.ndarray, level: float, person: int
) -> float:
    _n, m = matrix.shape
    a_fixed, b_fixed = _constraints(matrix, fixed, unfixed, 0)
    result = linprog(
        c=-matrix[person],
        A_ub=np.vstack([a_fixed, -matrix[unfixed]]),
        b_ub=np.concatenate([b_fixed, np.full(unfixed.sum(), -level + 1e-9)]),
        A_eq=np.ones((1, m)),
        b_eq=[1.0],
        bounds=[(0, None)] * m,
        method="highs",
    )
    assert result.status == 0
    return float(-result.fun)


@pytest.fixture(scope="session")
def instance() -> Callable[[str], tuple[Pool, tuple[Quota, ...], int]]:
    """`instance(name)` loads a runnable instance from the repository's data folder."""
    return load_instance


@pytest.fixture(scope="session")
def reference() -> Callable[[str, str], list[float]]:
    """`reference(name, algorithm)` returns a published sorted probability curve."""
    return reference_curve


@pytest.fixture(scope="session")
def independent_leximin() -> Callable[[Pool, Sequence[Quota], int], np.ndarray]:
    """`independent_leximin(pool, quotas, size)`: brute-force LEXIMIN marginals per person."""

    def solve(pool: Pool, quotas: Sequence[Quota], size: int) -> np.ndarray:
        return brute_force_leximin(len(pool), feasible_panels(pool, quotas, size))

    return solve
