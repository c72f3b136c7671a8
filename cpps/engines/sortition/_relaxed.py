"""LEXIMIN over an outer description of the panel polytope, by a short sequence of small LPs.

The selection probabilities p (one per type) of any distribution over panels lie in the panel
polytope: the convex hull of c / n over feasible compositions c. Its linear relaxation (quotas,
panel size and households on the expected counts p_t n_t) contains it, and so does the
relaxation with valid cuts `w . p <= b` added. LEXIMIN over such an outer set is a sequence of
LPs in T + 1 variables: maximise the lowest unfixed p_t, fix the types whose level row has a
positive dual (complementary slackness: they are at that level in every optimum), repeat.

If the resulting p is also a convex combination of feasible panels (see `_decompose`), it is the
LEXIMIN over the panel polytope itself: no distribution over panels can be leximin-better than
the best point of a superset. Otherwise the failed decomposition yields a cut that removes p and
the sequence is solved again.
"""

from __future__ import annotations

import highspy
import numpy as np

from cpps.engines.sortition._highs import new_highs, solve_to_optimum
from cpps.engines.sortition._types import FloatArray, TypeTable

FIX_TOLERANCE = 1e-9


class RelaxedLeximin:
    """The LP `max z s.t. p in outer set, p_t >= z (unfixed), p_t >= level_t (fixed)`."""

    def __init__(self, table: TypeTable, size: int) -> None:
        self.table = table
        self.levels = 0
        n_types = table.n_types
        counts = table.counts.astype(np.float64)
        inf = highspy.kHighsInf
        self.lp = new_highs()
        self.lp.setOptionValue("presolve", "off")
        # Columns: p_t in [0, 1] (t < T), then z (free; minimise -z).
        self.lp.addCols(
            n_types,
            np.zeros(n_types),
            np.zeros(n_types),
            np.ones(n_types),
            0,
            np.zeros(0, dtype=np.int32),
            np.zeros(0, dtype=np.int32),
            np.zeros(0),
        )
        self.z = n_types
        self.lp.addCol(-1.0, -inf, inf, 0, np.zeros(0, dtype=np.int32), np.zeros(0))
        for row, quota in zip(table.incidence, table.quotas, strict=True):
            (index,) = np.nonzero(row)
            self._add_row(float(quota.min), float(quota.max), index, counts[index])
        everyone = np.arange(n_types)
        self._add_row(float(size), float(size), everyone, counts)
        for group in table.households:
            index = np.array(group, dtype=np.int64)
            self._add_row(-inf, 1.0, index, counts[index])
        self.first_level_row = self.lp.getNumRow()
        for t in range(n_types):
            self._add_row(0.0, inf, np.array([t, self.z]), np.array([1.0, -1.0]))

    def _add_row(self, lower: float, upper: float, index: np.ndarray, values: FloatArray) -> None:
        self.lp.addRow(lower, upper, len(index), index.astype(np.int32), values.astype(np.float64))

    def add_cut(self, weights: FloatArray, bound: float) -> None:
        """Add the valid inequality `weights . p <= bound`."""
        (index,) = np.nonzero(weights)
        self._add_row(-highspy.kHighsInf, bound, index, weights[index])

    def solve(self) -> FloatArray:
        """Return the LEXIMIN probabilities per type over the current outer set."""
        n_types = self.table.n_types
        rows = range(self.first_level_row, self.first_level_row + n_types)
        for row in rows:
            self.lp.changeCoeff(row, self.z, -1.0)
            self.lp.changeRowBounds(row, 0.0, highspy.kHighsInf)
        unfixed = np.ones(n_types, dtype=bool)
        while True:
            self.levels += 1
            solution = solve_to_optimum(self.lp, "relaxed LEXIMIN LP")
            values = np.asarray(solution.col_value)
            duals = np.asarray(solution.row_dual)[rows.start : rows.stop]
            level = float(values[self.z])
            tight = unfixed & (duals > FIX_TOLERANCE)
            if not tight.any():
                tight = unfixed & (duals >= duals[unfixed].max())
            unfixed &= ~tight
            if not unfixed.any():
                return np.asarray(np.clip(values[:n_types], 0.0, 1.0), dtype=np.float64)
            for t in np.nonzero(tight)[0]:
                row = self.first_level_row + int(t)
                self.lp.changeCoeff(row, self.z, 0.0)
                self.lp.changeRowBounds(row, level, highspy.kHighsInf)
