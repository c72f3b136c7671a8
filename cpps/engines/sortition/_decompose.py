"""Write target probabilities as a distribution over feasible panels, or prove that none exists.

The master LP, over known compositions c_j (columns q_j) and a shortfall s_t per type:

    min sum_t n_t s_t   s.t.   sum_j q_j c_jt / n_t + s_t >= p_t   (every type t)
                               sum_j q_j = 1,   q, s >= 0.

At zero shortfall the marginals are at least p everywhere, and since both sum to the panel size
over people they are exactly p. Panels come first from a Caratheodory walk on the faces of the
relaxation (`_walk`): about one panel per type, each found by rounding an LP vertex, which on
self-selected pools already reaches p. Column generation finishes whatever the walk leaves.
A composition improves the master iff its weight under the row
prices y exceeds the convexity price, found exactly by the panel MILP (cheap swap neighbours of
the current support are tried first). When the MILP finds none and the shortfall is positive,
LP duality gives `y . p' <= max_c y . c / n` for every point p' of the panel polytope, which
`p` violates: a cut for `RelaxedLeximin`.
"""

from __future__ import annotations

from dataclasses import dataclass

import highspy
import numpy as np

from cpps.engines.sortition._highs import (
    Face,
    PanelModel,
    add_master_rows,
    add_panel_column,
    new_highs,
    solve_to_optimum,
)
from cpps.engines.sortition._model import ProgressCallback, SolverError
from cpps.engines.sortition._neighbours import SwapSearch, round_onto
from cpps.engines.sortition._types import FloatArray, IntArray, TypeTable

PRICING_TOLERANCE = 1e-9
# Total expected shortfall, in people, below which the target counts as reached.
DECOMPOSED = 1e-9
# Expected count (people) within which the target meets a bound with equality.
FACE_TOLERANCE = 1e-7
# Improving swap-neighbours of the heaviest support panels added per round.
NEIGHBOUR_BASES = 8
NEIGHBOUR_BATCH = 40
# Walk steps between progress reports.
PROGRESS_EVERY = 50


@dataclass(frozen=True)
class Cut:
    """`weights . p <= bound` holds on the panel polytope but not at the target."""

    weights: FloatArray
    bound: float


class Decomposition:
    """The master LP above, kept across targets so every panel found stays available."""

    def __init__(self, table: TypeTable, panels: PanelModel, progress: ProgressCallback) -> None:
        self.table = table
        self.panels = panels
        self.progress = progress
        self.swaps = SwapSearch(table)
        self.columns: list[IntArray] = []
        self.known: set[bytes] = set()
        self.rounds = 0
        self.values = np.zeros(0)
        n_types = table.n_types
        inf = highspy.kHighsInf
        self.lp = new_highs()
        self.lp.setOptionValue("presolve", "off")
        # Primal simplex: new panels are new columns, so the last basis stays primal feasible.
        self.lp.setOptionValue("simplex_strategy", 4)
        add_master_rows(self.lp, n_types)
        self.lp.addCols(
            n_types,
            table.counts.astype(np.float64),
            np.zeros(n_types),
            np.full(n_types, inf),
            n_types,
            np.arange(n_types, dtype=np.int32),
            np.arange(n_types, dtype=np.int32),
            np.ones(n_types),
        )

    def add_column(self, composition: IntArray) -> bool:
        key = composition.tobytes()
        if key in self.known:
            return False
        self.known.add(key)
        self.columns.append(composition)
        add_panel_column(self.lp, self.table, composition)
        return True

    def weights(self) -> FloatArray:
        """The distribution over `self.columns` of the last solve."""
        values = np.maximum(self.values, 0.0)
        return np.asarray(values / values.sum(), dtype=np.float64)

    def _solve_lp(self) -> tuple[float, FloatArray, float]:
        solution = solve_to_optimum(self.lp, "decomposition LP")
        n_types = self.table.n_types
        self.values = np.asarray(solution.col_value)[n_types:]
        duals = np.asarray(solution.row_dual)
        shortfall = float(self.lp.getInfo().objective_function_value)
        return shortfall, np.maximum(duals[:n_types], 0.0), float(duals[n_types])

    def decompose(self, target: FloatArray) -> Cut | None:
        """Reach `target` (probabilities per type) with known and new panels, or return a cut.

        Every panel of an exact decomposition meets with equality each bound the target meets
        with equality (a type at 0 or at all its members, a quota at its min or max), so new
        panels are first searched on that face only; off the face only to certify a cut.
        """
        n_types = self.table.n_types
        for t in range(n_types):
            self.lp.changeRowBounds(t, float(target[t]), highspy.kHighsInf)
        try:
            self._walk(target)
            self._restrict(face_of(self.table, target))
            if self._generate() is None:
                return None
            self._restrict(None)
            return self._generate()
        finally:
            self._restrict(None)

    def _walk(self, target: FloatArray) -> None:
        """Add the panels of a Caratheodory walk from `target` towards the vertices of its face.

        Repeatedly take a panel c on the minimal face of the relaxation that holds the point x
        (expected counts), and move x away from c as far as the relaxation allows:
        x <- (x - s c) / (1 - s). Each step meets one more bound with equality, so the walk
        ends after at most T + 1 panels, at an integral point, when that face holds one. The
        master LP then weighs the panels exactly; the walk only proposes them.
        """
        table = self.table
        counts = table.counts.astype(np.float64)
        lower, upper = table.lower.astype(np.float64), table.upper.astype(np.float64)
        point = target * counts
        for steps in range(1, table.n_types + 2):
            face = face_of(table, point / counts)
            composition = self._panel_on(face, point / counts)
            if composition is None:
                return
            self.add_column(composition)
            panel = composition.astype(np.float64)
            quota = table.incidence @ panel
            reached = table.incidence @ point
            step = min(
                _ratio(point, panel),
                _ratio(counts - point, counts - panel),
                _ratio(reached - lower, quota - lower),
                _ratio(upper - reached, upper - quota),
            )
            if not 0.0 < step < 1.0 - FACE_TOLERANCE:
                return
            point = np.clip((point - step * panel) / (1.0 - step), 0.0, counts)
            if steps % PROGRESS_EVERY == 0:
                # How much of the target the walk has covered says little about the time left,
                # so no fraction is reported.
                self.progress("panels", None, f"{steps} panels proposed for the target")

    def _panel_on(self, face: Face, weights: FloatArray) -> IntArray | None:
        """A panel on `face`, good for `weights`: the relaxation's vertex if integral, else
        that vertex repaired by swaps, else the MILP's first solution; None if there is none."""
        self.panels.restrict(face)
        vertex = self.panels.vertex(weights)
        if vertex is None:
            return None
        composition = np.rint(vertex).astype(np.int64)
        if np.max(np.abs(vertex - composition)) <= FACE_TOLERANCE and self.panels.on_face(
            composition
        ):
            return composition
        # The walk's previous panel lies on the enclosing face and usually misses this one by
        # the bound it just made tight, so a swap or two repairs it.
        for start in (None, self.columns[-1] if self.columns else None):
            repaired = round_onto(self.table, face, self.panels.size, vertex, start)
            if repaired is not None and self.panels.on_face(repaired):
                return repaired
        return self.panels.first(weights)

    def _restrict(self, face: Face | None) -> None:
        self.panels.restrict(face)
        self.swaps.restrict(face)

    def _generate(self) -> Cut | None:
        """Add improving panels until the target is reached (None) or none exists (a cut)."""
        while True:
            self.rounds += 1
            shortfall, prices, convexity = self._solve_lp()
            if shortfall <= DECOMPOSED:
                return None
            if self.rounds % PROGRESS_EVERY == 0:
                self.progress(
                    "panels",
                    None,
                    f"{len(self.columns)} panels found; weighing them to reach the target "
                    f"(round {self.rounds})",
                )
            weights = prices / self.table.counts
            threshold = PRICING_TOLERANCE - convexity
            support = np.argsort(-self.values, kind="stable")[:NEIGHBOUR_BASES]
            bases = [self.columns[j] for j in support if self.values[j] > 0]
            found = self.swaps.improving(bases, weights, threshold, NEIGHBOUR_BATCH)
            if not sum(self.add_column(composition) for composition in found):
                priced = self.panels.solve(weights)
                found = [c for c, value in priced if value > threshold]
                if not found:
                    bound = priced[0][1] if priced else 0.0
                    return Cut(prices, bound)
                found += self.swaps.improving(found[:4], weights, threshold, NEIGHBOUR_BATCH)
                if not sum(self.add_column(composition) for composition in found):
                    raise SolverError("column generation stalled while decomposing LEXIMIN")


def face_of(table: TypeTable, target: FloatArray) -> Face:
    """The bounds that `target` (probabilities per type) meets with equality, as a face."""
    expected = target * table.counts
    at_zero = expected <= FACE_TOLERANCE
    at_all = expected >= table.counts - FACE_TOLERANCE
    quota_counts = table.incidence @ expected
    at_min = quota_counts <= table.lower + FACE_TOLERANCE
    at_max = quota_counts >= table.upper - FACE_TOLERANCE
    return Face(
        type_lower=np.where(at_all, table.counts, 0),
        type_upper=np.where(at_zero, 0, table.counts),
        quota_lower=np.where(at_max, table.upper, table.lower),
        quota_upper=np.where(at_min, table.lower, table.upper),
    )


def _ratio(room: FloatArray, use: FloatArray) -> float:
    """The largest s with s * use <= room wherever use > 0 (1 when nothing limits it)."""
    limiting = use > FACE_TOLERANCE
    if not limiting.any():
        return 1.0
    return float(min(1.0, np.min(np.maximum(room[limiting], 0.0) / use[limiting])))
