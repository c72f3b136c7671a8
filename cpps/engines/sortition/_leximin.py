"""LEXIMIN and MAXIMIN over panel compositions (Flanigan et al., 2021), exactly.

LEXIMIN (`_by_outer_approximation`): compute the LEXIMIN probabilities over an outer description
of the panel polytope (the quotas on expected counts plus any cuts; `_relaxed`), a few small LPs;
then write them as a distribution over feasible panels (`_decompose`). When that succeeds the
result is the LEXIMIN over all panels, since no distribution can be leximin-better than the best
point of a superset of what panels reach; when it fails, the failure is a valid cut that removes
the target, and the outer LEXIMIN is solved again. On real and self-selected pools the first
target almost always decomposes, so no level needs its own pricing certificate.

MAXIMIN, and LEXIMIN if cuts do not settle it quickly (`ColumnGeneration`): the master LP chooses
a distribution q over known compositions to maximise z, the lowest selection probability among
types not yet fixed, while every fixed type keeps its probability:

    max z   s.t.   sum_j q_j c_jt / n_t - z >= 0    (t unfixed)
                   sum_j q_j c_jt / n_t     >= p_t  (t fixed)
                   sum_j q_j = 1,  q >= 0.

With prices y_t >= 0 on the type rows and u on the convexity row, a composition c improves the
master iff sum_t y_t c_t / n_t > u, found exactly by the panel MILP. When none improves, z* is
the true optimum over all panels; types with a positive price are at z* in every optimal
distribution (complementary slackness) and are fixed there. Repeating until every type is fixed
yields the LEXIMIN allocation, which is unique in its probabilities.
"""

from __future__ import annotations

import time

import highspy
import numpy as np

from cpps.engines.sortition._decompose import Decomposition
from cpps.engines.sortition._highs import (
    PanelModel,
    add_master_rows,
    add_panel_column,
    new_highs,
    solve_to_optimum,
)
from cpps.engines.sortition._model import ProgressCallback, SolverError
from cpps.engines.sortition._neighbours import SwapSearch
from cpps.engines.sortition._relaxed import RelaxedLeximin
from cpps.engines.sortition._types import FloatArray, IntArray, TypeTable

PRICING_TOLERANCE = 1e-9
FIX_TOLERANCE = 1e-9
# Improving swap-neighbours of the priced panels added per round (see _neighbours).
NEIGHBOUR_BASES = 4
NEIGHBOUR_BATCH = 15
SMOOTHING = 0.5
# Cuts tried before falling back to level-by-level column generation.
MAX_CUTS = 30


class ColumnGeneration:
    """The master LP and its columns; `solve(stop_after_first=...)` runs the fixing loop."""

    def __init__(self, table: TypeTable, panels: PanelModel, progress: ProgressCallback) -> None:
        self.table = table
        self.panels = panels
        self.progress = progress
        self.columns: list[IntArray] = []
        self.known: set[bytes] = set()
        self.fixed = np.full(table.n_types, np.nan)
        self.rounds = 0
        self.swaps = SwapSearch(table)
        self.values = np.zeros(0)
        self.lp = new_highs()
        n_types = table.n_types
        inf = highspy.kHighsInf
        # The master LP in primal form: column 0 is z, each panel j adds a column q_j. Row t < T
        # reads sum_j q_j c_jt / n_t - z >= 0 (unfixed) or sum_j q_j c_jt / n_t >= p_t (fixed);
        # row T is sum_j q_j = 1. New panels are new columns, so the previous basis stays
        # primal feasible and primal simplex continues from it; the basis has only T + 1 rows.
        self.lp.addCol(-1.0, -inf, inf, 0, np.zeros(0, dtype=np.int32), np.zeros(0))
        add_master_rows(self.lp, n_types)
        for t in range(n_types):
            self.lp.changeCoeff(t, 0, -1.0)
        self.lp.setOptionValue("simplex_strategy", 4)
        self.lp.setOptionValue("presolve", "off")

    def add_column(self, composition: IntArray) -> bool:
        key = composition.tobytes()
        if key in self.known:
            return False
        self.known.add(key)
        self.columns.append(composition)
        add_panel_column(self.lp, self.table, composition)
        return True

    def fix(self, t: int, level: float) -> None:
        """Hold type t at `level` from now on."""
        self.fixed[t] = level
        self.lp.changeCoeff(t, 0, 0.0)
        self.lp.changeRowBounds(t, level, highspy.kHighsInf)

    def _solve_lp(self) -> tuple[float, FloatArray, float]:
        """Solve the master; return z*, the type prices y and the convexity price."""
        solution = solve_to_optimum(self.lp, "master LP")
        self.values = np.asarray(solution.col_value)[1:]
        duals = np.asarray(solution.row_dual)
        n_types = self.table.n_types
        level = -float(self.lp.getInfo().objective_function_value)
        return level, duals[:n_types], float(duals[n_types])

    def _optimise_level(self) -> tuple[float, FloatArray]:
        """Add improving columns until none exists; return z* and the type duals.

        Prices at a smoothed dual (Wentges): a mix of the current LP dual and the dual with the
        best Lagrangian bound so far, which damps the oscillation that makes plain column
        generation tail off. A level ends only when the exact MILP, priced at the LP's own
        vertex dual, finds no improving panel: the same certificate as without smoothing.
        """
        center: FloatArray | None = None
        best_bound = np.inf
        while True:
            self.rounds += 1
            level, duals, convexity = self._solve_lp()
            current = np.maximum(duals, 0.0)
            threshold = PRICING_TOLERANCE - convexity
            smoothed = center is not None and best_bound - level > PRICING_TOLERANCE
            prices = current
            if center is not None and smoothed:
                prices = SMOOTHING * center + (1 - SMOOTHING) * current
            priced = self.panels.solve(prices / self.table.counts)
            bound = priced[0][1] - float(np.nansum(prices * self.fixed))
            if bound < best_bound:
                best_bound, center = bound, prices
            weights = current / self.table.counts
            improving = [c for c, _ in priced if weights @ c > threshold]
            if smoothed and not improving:
                improving = [c for c, v in self.panels.solve(weights) if v > threshold]
            if not sum(self.add_column(composition) for composition in improving):
                return level, duals
            bases = improving[:NEIGHBOUR_BASES]
            for composition in self.swaps.improving(bases, weights, threshold, NEIGHBOUR_BATCH):
                self.add_column(composition)

    def weights(self) -> FloatArray:
        """The current distribution over `self.columns`."""
        values = np.maximum(self.values, 0.0)
        return np.asarray(values / values.sum(), dtype=np.float64)

    def solve(self, *, stop_after_first: bool) -> None:
        """Run LEXIMIN (fix level by level) or, with `stop_after_first`, MAXIMIN."""
        n_types = self.table.n_types
        total = int(self.table.counts.sum())
        while np.isnan(self.fixed).any():
            level, duals = self._optimise_level()
            unfixed = np.isnan(self.fixed)
            tight = unfixed & (duals > FIX_TOLERANCE)
            if not tight.any():
                tight = unfixed & (duals >= duals[unfixed].max())
            if stop_after_first:
                return
            for t in np.nonzero(tight)[0]:
                self.fix(int(t), level)
            done = int(self.table.counts[~np.isnan(self.fixed)].sum())
            self.progress(
                "panels",
                done / total,
                f"{done} of {total} people fixed at level {level:.6f} "
                f"({len(self.columns)} panels, {self.rounds} rounds, {n_types} types)",
            )


def _cover_every_type(generation: ColumnGeneration) -> None:
    """Start from panels that together include every type that fits on any panel.

    Until every type is on some known panel the level stays at 0 and the duals carry little
    information, so column generation would spend its first rounds covering types one by one.
    Swaps from known panels cover most types at once; the MILP covers the rest or proves a
    type can never be selected.
    """
    uncovered = np.sum(generation.columns, axis=0) == 0
    while uncovered.any():
        weights = uncovered.astype(np.float64)
        found = generation.swaps.improving(generation.columns[-4:], weights, 0.5, uncovered.sum())
        if not found:
            found = [c for c, value in generation.panels.solve(weights) if value > 0.5]
        if not found:
            return
        for composition in found:
            generation.add_column(composition)
            uncovered &= composition == 0


def solve_fair(
    table: TypeTable, size: int, *, maximin_only: bool, progress: ProgressCallback
) -> tuple[list[IntArray], FloatArray, int]:
    """Return (compositions, their probabilities, rounds) of the LEXIMIN (or a MAXIMIN) solution."""
    panels = PanelModel(table, size)
    start = time.perf_counter()
    progress(
        "target", None, f"finding a first panel that meets every quota ({table.n_types} types)"
    )
    first = panels.solve(np.zeros(table.n_types))
    if not first:
        raise SolverError("no feasible panel; validate the quotas first")
    seeds = [composition for composition, _ in first]
    if maximin_only:
        columns, weights, rounds = _by_column_generation(table, panels, seeds, True, progress)
    else:
        columns, weights, rounds = _by_outer_approximation(table, size, panels, seeds, progress)
    progress("panels", 1.0, f"done in {time.perf_counter() - start:.1f} s")
    keep = weights > 1e-12
    kept = [column for column, used in zip(columns, keep, strict=True) if used]
    return kept, weights[keep] / weights[keep].sum(), rounds


def _by_outer_approximation(
    table: TypeTable,
    size: int,
    panels: PanelModel,
    seeds: list[IntArray],
    progress: ProgressCallback,
) -> tuple[list[IntArray], FloatArray, int]:
    """LEXIMIN over the relaxation, decomposed into panels, cut and re-solved until it decomposes.

    Falls back to level-by-level column generation (seeded with every panel found) if the cuts
    do not close the gap quickly.
    """
    relaxed = RelaxedLeximin(table, size)
    decomposition = Decomposition(table, panels, progress)
    for composition in seeds:
        decomposition.add_column(composition)
    for attempt in range(MAX_CUTS + 1):
        progress(
            "target",
            None,
            f"target {attempt + 1}: the fairest probabilities over the relaxation "
            f"({table.n_types} types)",
        )
        target = relaxed.solve()
        progress(
            "panels",
            None,
            f"target {attempt + 1}: lowest probability {target.min():.6f} over "
            f"{table.n_types} types; decomposing into panels",
        )
        cut = decomposition.decompose(target)
        if cut is None:
            return decomposition.columns, decomposition.weights(), decomposition.rounds
        relaxed.add_cut(cut.weights, cut.bound)
    columns, weights, rounds = _by_column_generation(
        table, panels, decomposition.columns, False, progress
    )
    return columns, weights, decomposition.rounds + rounds


def _by_column_generation(
    table: TypeTable,
    panels: PanelModel,
    seeds: list[IntArray],
    maximin_only: bool,
    progress: ProgressCallback,
) -> tuple[list[IntArray], FloatArray, int]:
    generation = ColumnGeneration(table, panels, progress)
    for composition in seeds:
        generation.add_column(composition)
    _cover_every_type(generation)
    generation.solve(stop_after_first=maximin_only)
    return generation.columns, generation.weights(), generation.rounds
