"""LEGACY: the greedy stratified draw practitioners used before LEXIMIN, for comparison.

Each step picks the quota value whose unmet minimum is largest relative to the people still
available for it, and selects a uniformly random available person with that value; values that
reach their maximum remove everyone else holding them; a draw that paints itself into a corner
restarts (as the Sortition Foundation's `find_random_sample_legacy` does). Drawing a person
uniformly among the available holders of a value is the same as drawing a type with probability
proportional to its available members, so the simulation runs over types.
"""

from __future__ import annotations

import numpy as np

from cpps.engines.sortition._model import SolverError
from cpps.engines.sortition._types import IntArray, TypeTable

MAX_ATTEMPTS_PER_DRAW = 100


class _StuckError(Exception):
    """This attempt cannot complete; start the draw again."""


def legacy_draw(table: TypeTable, size: int, rng: np.random.Generator) -> IntArray:
    """Return the composition of one LEGACY panel (retrying failed attempts).

    Raises:
        SolverError: every attempt got stuck (the quotas are too tight for the greedy method).
    """
    for _ in range(MAX_ATTEMPTS_PER_DRAW):
        try:
            composition = _attempt(table, size, rng)
        except _StuckError:
            continue
        counts = table.incidence @ composition
        if np.all(counts >= table.lower) and np.all(counts <= table.upper):
            return composition
    raise SolverError(
        f"the LEGACY method failed {MAX_ATTEMPTS_PER_DRAW} times in a row on these quotas; "
        "use LEXIMIN"
    )


def _attempt(table: TypeTable, size: int, rng: np.random.Generator) -> IntArray:
    incidence, lower, upper = table.incidence, table.lower, table.upper
    available = table.counts.copy()
    for row in np.nonzero(upper == 0)[0]:
        available[incidence[row] == 1] = 0
    household_of = {t: group for group in table.households for t in group}
    selected = np.zeros(len(lower), dtype=np.int64)
    composition = np.zeros(table.n_types, dtype=np.int64)
    for step in range(size):
        remaining = incidence @ available
        needed = lower - selected
        if np.any(remaining < needed):
            raise _StuckError
        open_rows = (remaining > 0) & (upper > 0)
        if not open_rows.any():
            raise _StuckError
        ratio = np.where(open_rows, needed / np.maximum(remaining, 1), -np.inf)
        row = np.argmax(ratio)
        candidates = available * incidence[row]
        t = int(rng.choice(table.n_types, p=candidates / candidates.sum()))
        composition[t] += 1
        available[t] -= 1
        selected += incidence[:, t]
        for other in household_of.get(t, ()):
            available[other] = 0
        for full in np.nonzero((incidence[:, t] == 1) & (selected == upper))[0]:
            available[incidence[full] == 1] = 0
        if step < size - 1 and available.sum() == 0:
            raise _StuckError
    return composition
