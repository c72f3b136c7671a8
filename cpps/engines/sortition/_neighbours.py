"""Cheap moves between panels, tried before the MILP: swap-neighbours and greedy repair.

Column generation converges in fewer, cheaper rounds when each round adds many improving
panels. Swapping one member of a good panel for someone of another type, where every quota
still holds, often yields panels the MILP would find one by one. The exact MILP is still
called whenever this finds nothing, and only it may end a level, so optimality is unaffected.

`round_onto` turns a fractional vertex (or a nearby panel) into a panel on a given face by
the same kind of swaps; the decomposition walk uses it and calls the MILP only when it fails.
"""

from __future__ import annotations

import numpy as np

from cpps.engines.sortition._highs import Face
from cpps.engines.sortition._types import FloatArray, IntArray, TypeTable


class SwapSearch:
    """Finds improving single-swap neighbours of given compositions."""

    def __init__(self, table: TypeTable) -> None:
        self.table = table
        self.incidence = table.incidence.astype(np.int64)
        self.restrict(None)
        in_household = np.zeros(table.n_types, dtype=bool)
        for group in table.households:
            in_household[list(group)] = True
        # Household types are left to the MILP; a swap never brings one in.
        self.can_enter = ~in_household

    def restrict(self, face: Face | None) -> None:
        """Only propose compositions on `face` (None: every feasible composition)."""
        table = self.table
        if face is None:
            face = Face.everything(table)
        self.lower = face.quota_lower[:, None]
        self.upper = face.quota_upper[:, None]
        self.type_lower = face.type_lower
        self.type_upper = face.type_upper

    def improving(
        self, bases: list[IntArray], weights: FloatArray, threshold: float, limit: int
    ) -> list[IntArray]:
        """Up to `limit` distinct compositions with `weights @ c > threshold`, best first.

        At most two results bring in the same type, so a batch spreads over the pool.
        """
        candidates: list[tuple[float, int, int, int]] = []
        for index, base in enumerate(bases):
            candidates.extend(self._swaps(index, base, weights, threshold))
        candidates.sort(key=lambda item: -item[0])
        entered: dict[int, int] = {}
        found: list[IntArray] = []
        seen: set[bytes] = set()
        for _, index, leaving, entering in candidates:
            if entered.get(entering, 0) >= 2:
                continue
            composition = bases[index].copy()
            composition[leaving] -= 1
            composition[entering] += 1
            key = composition.tobytes()
            if key in seen:
                continue
            seen.add(key)
            entered[entering] = entered.get(entering, 0) + 1
            found.append(composition)
            if len(found) >= limit:
                break
        return found

    def _swaps(
        self, index: int, base: IntArray, weights: FloatArray, threshold: float
    ) -> list[tuple[float, int, int, int]]:
        value = float(weights @ base)
        counts = (self.incidence @ base)[:, None]
        room = (base < self.type_upper) & self.can_enter
        results: list[tuple[float, int, int, int]] = []
        for leaving in np.nonzero(base > self.type_lower)[0]:
            gain = weights - weights[leaving]
            promising = room & (value + gain > threshold)
            promising[leaving] = False
            (entering,) = np.nonzero(promising)
            if len(entering) == 0:
                continue
            moved = counts - self.incidence[:, [leaving]] + self.incidence[:, entering]
            fits = np.all((moved >= self.lower) & (moved <= self.upper), axis=0)
            results.extend(
                (value + float(gain[b]), index, int(leaving), int(b)) for b in entering[fits]
            )
        return results


def round_onto(
    table: TypeTable, face: Face, size: int, point: FloatArray, start: IntArray | None = None
) -> IntArray | None:
    """A composition on `face` near `point` (fractional counts), by greedy repair; None if stuck.

    Starts from `start` (default: `point` rounded down) within the face's type bounds, fills
    or empties seats, then swaps one member at a time, each move the one that most reduces the
    total quota violation (ties: towards `point`). Household rules are not considered; the
    caller checks the result.
    """
    incidence = table.incidence.astype(np.float64)
    lower, upper = face.quota_lower, face.quota_upper
    initial = np.floor(point + 1e-9) if start is None else start
    composition = np.clip(initial, face.type_lower, face.type_upper).astype(np.int64)
    preference = 1e-3 * (point - np.floor(point + 1e-9))
    for _ in range(4 * size):
        counts = incidence @ composition
        violation = np.maximum(lower - counts, 0).sum() + np.maximum(counts - upper, 0).sum()
        missing = size - int(composition.sum())
        if violation == 0 and missing == 0:
            return composition
        # Change in total violation from adding or removing one member of each type.
        adding = incidence.T @ ((counts >= upper).astype(np.float64) - (counts < lower))
        removing = incidence.T @ ((counts <= lower).astype(np.float64) - (counts > upper))
        can_add = composition < face.type_upper
        can_remove = composition > face.type_lower
        if missing:
            movable = can_add if missing > 0 else can_remove
            if not movable.any():
                return None
            score = adding - preference if missing > 0 else removing + preference
            composition[int(np.argmin(np.where(movable, score, np.inf)))] += np.sign(missing)
            continue
        (leaving,) = np.nonzero(can_remove)
        if not len(leaving):
            return None
        # A swap within a shared quota row leaves that row unchanged: undo both contributions.
        both = (counts >= upper).astype(np.float64) - (counts < lower)
        both += (counts <= lower).astype(np.float64) - (counts > upper)
        shared = incidence[:, leaving].T @ (both[:, None] * incidence)
        delta = removing[leaving, None] + adding[None, :] - shared
        delta += preference[leaving, None] - preference[None, :]
        delta[:, ~can_add] = np.inf
        delta[np.arange(len(leaving)), leaving] = np.inf
        a, b = np.unravel_index(int(np.argmin(delta)), delta.shape)
        if delta[a, b] > -0.5:
            return None
        composition[leaving[a]] -= 1
        composition[b] += 1
    return None
