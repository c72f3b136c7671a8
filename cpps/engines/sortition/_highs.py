"""HiGHS models shared by the algorithms: the panel MILP (one feasible panel composition)."""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass

import highspy
import numpy as np

from cpps.engines.sortition._model import SolverError
from cpps.engines.sortition._types import FloatArray, IntArray, TypeTable

# Tight enough that a reduced cost the pricing sees as positive really is positive: the stopping
# rule below compares against 1e-9, so the LP must be accurate well beyond that.
LP_TOLERANCE = 1e-10
MAX_SOLUTIONS = 2**31 - 1
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


def solve_to_optimum(lp: highspy.Highs, name: str) -> highspy.HighsSolution:
    """Run `lp` and return its solution.

    Raises:
        SolverError: HiGHS stopped without proving optimality.
    """
    lp.run()
    status = lp.getModelStatus()
    if status != highspy.HighsModelStatus.kOptimal:
        raise SolverError(f"the {name} stopped with status {lp.modelStatusToString(status)}")
    return lp.getSolution()


def add_master_rows(lp: highspy.Highs, n_types: int) -> None:
    """Add the rows `add_panel_column` fills: one per type (>= 0 until the caller constrains it)
    and the convexity row (= 1)."""
    lp.addRows(
        n_types + 1,
        np.concatenate([np.zeros(n_types), [1.0]]),
        np.concatenate([np.full(n_types, highspy.kHighsInf), [1.0]]),
        0,
        np.zeros(0, dtype=np.int32),
        np.zeros(0, dtype=np.int32),
        np.zeros(0),
    )


def add_panel_column(lp: highspy.Highs, table: TypeTable, composition: IntArray) -> None:
    """Add a panel as a column q_j >= 0 of a master LP whose row t < T is type t's selection
    probability (coefficient c_t / n_t) and whose row T is the convexity row (coefficient 1)."""
    (types,) = np.nonzero(composition)
    index = np.concatenate([types, [table.n_types]]).astype(np.int32)
    values = np.concatenate([composition[types] / table.counts[types], [1.0]])
    lp.addCol(0.0, 0.0, highspy.kHighsInf, len(index), index, values)


@dataclass(frozen=True)
class Face:
    """Tighter bounds on a composition's type counts and quota counts than the quotas give."""

    type_lower: IntArray
    type_upper: IntArray
    quota_lower: IntArray
    quota_upper: IntArray

    @classmethod
    def everything(cls, table: TypeTable) -> Face:
        """The bounds of the quotas alone: every feasible composition."""
        return cls(np.zeros(table.n_types, dtype=np.int64), table.counts, table.lower, table.upper)


class PanelModel:
    """The set of feasible panel compositions as a MILP over type counts.

    Variables: c_t in {0..n_t}. Rows: every quota's bounds, the panel size, and at most one
    selected member per shared household. A copy without integrality gives cheap vertices.
    """

    def __init__(self, table: TypeTable, size: int) -> None:
        self.table = table
        self.size = size
        self.highs = self._build(new_highs(mip=True))
        self.highs.setOptionValue("mip_improving_solution_save", True)
        n_types = table.n_types
        self.highs.changeColsIntegrality(
            n_types,
            np.arange(n_types, dtype=np.int32),
            np.full(n_types, highspy.HighsVarType.kInteger),
        )
        self.relaxation = self._build(new_highs())
        self.restrict(None)

    def _build(self, highs: highspy.Highs) -> highspy.Highs:
        table = self.table
        n_types = table.n_types
        inf = highspy.kHighsInf
        highs.addCols(
            n_types,
            np.zeros(n_types),
            np.zeros(n_types),
            table.counts.astype(np.float64),
            0,
            np.zeros(0, dtype=np.int32),
            np.zeros(0, dtype=np.int32),
            np.zeros(0),
        )
        rows = [
            (row, float(q.min), float(q.max))
            for row, q in zip(table.incidence, table.quotas, strict=True)
        ]
        rows.append((np.ones(n_types, dtype=np.int64), float(self.size), float(self.size)))
        for group in table.households:
            indicator = np.zeros(n_types, dtype=np.int64)
            indicator[list(group)] = 1
            rows.append((indicator, -inf, 1.0))
        for coefficients, lower, upper in rows:
            (index,) = np.nonzero(coefficients)
            highs.addRow(
                lower,
                upper,
                len(index),
                index.astype(np.int32),
                coefficients[index].astype(np.float64),
            )
        highs.changeObjectiveSense(highspy.ObjSense.kMaximize)
        return highs

    def restrict(self, face: Face | None) -> None:
        """Search only compositions on `face` (None: every feasible composition)."""
        table = self.table
        if face is None:
            face = Face.everything(table)
        self.face = face
        n_types, n_quotas = table.n_types, len(table.quotas)
        for highs in (self.highs, self.relaxation):
            highs.changeColsBounds(
                n_types,
                np.arange(n_types, dtype=np.int32),
                face.type_lower.astype(np.float64),
                face.type_upper.astype(np.float64),
            )
            for row in range(n_quotas):
                highs.changeRowBounds(
                    row, float(face.quota_lower[row]), float(face.quota_upper[row])
                )

    def vertex(self, weights: FloatArray) -> FloatArray | None:
        """An optimal vertex of the LP relaxation (fractional counts) on the face; None if empty."""
        n_types = self.table.n_types
        self.relaxation.changeColsCost(
            n_types, np.arange(n_types, dtype=np.int32), weights.astype(np.float64)
        )
        self.relaxation.run()
        if self.relaxation.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        return np.asarray(self.relaxation.getSolution().col_value, dtype=np.float64)

    def first(self, weights: FloatArray) -> IntArray | None:
        """The MILP's first composition on the face (good for `weights`, maybe not the best)."""
        self.highs.setOptionValue("mip_max_improving_sols", 1)
        try:
            found = self._run(weights, (highspy.HighsModelStatus.kSolutionLimit,))
        finally:
            self.highs.setOptionValue("mip_max_improving_sols", MAX_SOLUTIONS)
        return found[0][0] if found else None

    def on_face(self, composition: IntArray) -> bool:
        """Is `composition` feasible and on the current face?"""
        face = self.face
        counts = self.table.incidence @ composition
        return bool(
            self.is_feasible(composition)
            and np.all(composition >= face.type_lower)
            and np.all(composition <= face.type_upper)
            and np.all(counts >= face.quota_lower)
            and np.all(counts <= face.quota_upper)
        )

    def solve(self, weights: FloatArray) -> list[tuple[IntArray, float]]:
        """Return the best composition for `weights`, then the other improving ones found.

        Returns an empty list when no composition exists.

        Raises:
            SolverError: HiGHS stopped without proving optimality.
        """
        return self._run(weights, ())

    def _run(
        self, weights: FloatArray, accept: tuple[highspy.HighsModelStatus, ...]
    ) -> list[tuple[IntArray, float]]:
        n_types = self.table.n_types
        self.highs.changeColsCost(
            n_types, np.arange(n_types, dtype=np.int32), weights.astype(np.float64)
        )
        self.highs.run()
        status = self.highs.getModelStatus()
        if status == highspy.HighsModelStatus.kInfeasible:
            return []
        if status != highspy.HighsModelStatus.kOptimal and status not in accept:
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
