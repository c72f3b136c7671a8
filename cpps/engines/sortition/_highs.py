"""HiGHS models shared by the algorithms: the panel MILP (one feasible panel composition)."""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterator

import highspy
import numpy as np

from cpps.engines.sortition._model import SolverError
from cpps.engines.sortition._types import FloatArray, IntArray, TypeTable

# Tight enough that a reduced cost the pricing sees as positive really is positive: the stopping
# rule below compares against 1e-9, so the LP must be accurate well beyond that.
LP_TOLERANCE = 1e-10
_BANNER_LOCK = threading.Lock()
_banner_done = False


def new_highs(*, mip: bool = False) -> highspy.Highs:
    """Return a silent, deterministic HiGHS instance with tight tolerances."""
    global _banner_done  # noqa: PLW0603  # the banner prints once per process, on first construction
    with _BANNER_LOCK:
        if _banner_done:
            highs = highspy.Highs()  # type: ignore[no-untyped-call]
        else:
            # HiGHS writes its banner straight to file descriptor 1 on first construction, which
            # would corrupt the CLI's JSON on stdout; silence that one write.
            sys.stdout.flush()
            saved = os.dup(1)
            try:
                with open(os.devnull, "w") as null:
                    os.dup2(null.fileno(), 1)
                    highs = highspy.Highs()  # type: ignore[no-untyped-call]
            finally:
                os.dup2(saved, 1)
                os.close(saved)
            _banner_done = True
    for name, value in (
        ("output_flag", False),
        ("random_seed", 0),
        ("threads", 1),
        ("primal_feasibility_tolerance", LP_TOLERANCE),
        ("dual_feasibility_tolerance", LP_TOLERANCE),
    ):
        highs.setOptionValue(name, value)
    if mip:
        highs.setOptionValue("mip_rel_gap", 0.0)
        highs.setOptionValue("mip_abs_gap", 1e-11)
        highs.setOptionValue("mip_feasibility_tolerance", 1e-9)
    return highs


class PanelModel:
    """The set of feasible panel compositions as a MILP over type counts.

    Variables: c_t in {0..n_t}. Rows: every quota's bounds, the panel size, and at most one
    selected member per shared household.
    """

    def __init__(self, table: TypeTable, size: int) -> None:
        self.table = table
        self.size = size
        self.highs = new_highs(mip=True)
        self.highs.setOptionValue("mip_improving_solution_save", True)
        n_types = table.n_types
        inf = highspy.kHighsInf
        self.highs.addCols(
            n_types,
            np.zeros(n_types),
            np.zeros(n_types),
            table.counts.astype(np.float64),
            0,
            np.zeros(0, dtype=np.int32),
            np.zeros(0, dtype=np.int32),
            np.zeros(0),
        )
        self.highs.changeColsIntegrality(
            n_types,
            np.arange(n_types, dtype=np.int32),
            np.full(n_types, highspy.HighsVarType.kInteger),
        )
        rows = [
            (row, float(q.min), float(q.max))
            for row, q in zip(table.incidence, table.quotas, strict=True)
        ]
        rows.append((np.ones(n_types, dtype=np.int64), float(size), float(size)))
        for group in table.households:
            indicator = np.zeros(n_types, dtype=np.int64)
            indicator[list(group)] = 1
            rows.append((indicator, -inf, 1.0))
        for coefficients, lower, upper in rows:
            (index,) = np.nonzero(coefficients)
            self.highs.addRow(
                lower,
                upper,
                len(index),
                index.astype(np.int32),
                coefficients[index].astype(np.float64),
            )
        self.highs.changeObjectiveSense(highspy.ObjSense.kMaximize)

    def solve(self, weights: FloatArray) -> list[tuple[IntArray, float]]:
        """Return the best composition for `weights`, then the other improving ones found.

        Returns an empty list when no composition exists.

        Raises:
            SolverError: HiGHS stopped without proving optimality.
        """
        n_types = self.table.n_types
        self.highs.changeColsCost(
            n_types, np.arange(n_types, dtype=np.int32), weights.astype(np.float64)
        )
        self.highs.run()
        status = self.highs.getModelStatus()
        if status == highspy.HighsModelStatus.kInfeasible:
            return []
        if status != highspy.HighsModelStatus.kOptimal:
            raise SolverError(
                f"the panel MILP stopped with status {self.highs.modelStatusToString(status)}"
            )
        best = np.rint(np.asarray(self.highs.getSolution().col_value)).astype(np.int64)
        found = [(best, float(weights @ best))]
        found.extend(self._saved(weights))
        return found

    def _saved(self, weights: FloatArray) -> Iterator[tuple[IntArray, float]]:
        for saved in self.highs.getSavedMipSolutions():
            values = np.rint(np.asarray(saved.col_value)).astype(np.int64)
            if self.is_feasible(values):
                yield values, float(weights @ values)

    def is_feasible(self, composition: IntArray) -> bool:
        """Check a composition against every row of the model, exactly in integers."""
        table = self.table
        if (
            composition.sum() != self.size
            or np.any(composition < 0)
            or np.any(composition > table.counts)
        ):
            return False
        counts = table.incidence @ composition
        if np.any(counts < table.lower) or np.any(counts > table.upper):
            return False
        return all(composition[list(group)].sum() <= 1 for group in table.households)
