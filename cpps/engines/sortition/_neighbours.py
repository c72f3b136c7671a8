"""Cheap pricing: improving panels one swap away from good known panels.

Column generation converges in fewer, cheaper rounds when each round adds many improving
panels. Swapping one member of a good panel for someone of another type, where every quota
still holds, often yields panels the MILP would find one by one. The exact MILP is still
called whenever this finds nothing, and only it may end a level, so optimality is unaffected.
"""

from __future__ import annotations

import numpy as np

from cpps.engines.sortition._types import FloatArray, IntArray, TypeTable


class SwapSearch:
    """Finds improving single-swap neighbours of given compositions."""

    def __init__(self, table: TypeTable) -> None:
        self.table = table
        self.incidence = table.incidence.astype(np.int64)
        self.lower = table.lower[:, None]
        self.upper = table.upper[:, None]
        in_household = np.zeros(table.n_types, dtype=bool)
        for group in table.households:
            in_household[list(group)] = True
        # Household types are left to the MILP; a swap never brings one in.
        self.can_enter = ~in_household

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
        room = (base < self.table.counts) & self.can_enter
        results: list[tuple[float, int, int, int]] = []
        for leaving in np.nonzero(base)[0]:
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
