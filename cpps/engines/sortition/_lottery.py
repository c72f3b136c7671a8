"""Transparent lottery: round a distribution to m equally likely panels of named people.

Following Flanigan, Kehne and Procaccia ("Fair Sortition Made Transparent", NeurIPS 2021), each
panel composition j of probability q_j gets floor(m q_j) or ceil(m q_j) of the m slots; a greedy
greedy step picks the roundings that keep every type's expected count closest to the original
(greedily minimising the squared per-person deviation). Slots are then filled with named people by
walking each type's members cyclically, so within a type everyone sits on floor or ceil of the
type's average number of slots and no one appears twice on a panel.
"""

from __future__ import annotations

import hashlib

import numpy as np

from cpps.engines.sortition._model import Distribution, DrawError, Lottery
from cpps.engines.sortition._types import FloatArray, IntArray


def round_to_lottery(distribution: Distribution, panels: int = 1000) -> Lottery:
    """Turn `distribution` into a uniform lottery over `panels` panels of person ids.

    Returns:
        The lottery; `loss` is how much the lowest selection probability dropped (can be < 0).

    Raises:
        DrawError: `panels` is not positive.
    """
    if panels < 1:
        raise DrawError(f"a lottery needs at least one panel, not {panels}")
    compositions = np.array(distribution.compositions, dtype=np.int64)
    weights = np.array(distribution.panel_probabilities, dtype=np.float64)
    counts = np.array([len(members) for members in distribution.type_members], dtype=np.int64)
    slots = _round_counts(compositions, weights, counts, panels)
    members = [_fair_order(distribution, group) for group in distribution.type_members]
    cursor = np.zeros(len(members), dtype=np.int64)
    drawn: list[tuple[str, ...]] = []
    for composition, repeats in zip(compositions, slots, strict=True):
        for _ in range(int(repeats)):
            panel: list[str] = []
            for t in np.nonzero(composition)[0]:
                group = members[t]
                start = int(cursor[t])
                panel.extend(group[(start + i) % len(group)] for i in range(int(composition[t])))
                cursor[t] = (start + composition[t]) % len(group)
            drawn.append(tuple(sorted(panel)))
    probabilities = lottery_probabilities(drawn, distribution.people_ids)
    return Lottery(
        panels=tuple(drawn),
        probabilities=probabilities,
        people_ids=distribution.people_ids,
        source_min_probability=distribution.min_probability,
        loss=distribution.min_probability - min(probabilities),
    )


def lottery_probabilities(
    panels: list[tuple[str, ...]] | tuple[tuple[str, ...], ...], ids: tuple[str, ...]
) -> tuple[float, ...]:
    """Each person's chance of selection when one of `panels` is drawn uniformly."""
    seats = dict.fromkeys(ids, 0)
    for panel in panels:
        for person in panel:
            seats[person] += 1
    return tuple(seats[person] / len(panels) for person in ids)


def _fair_order(distribution: Distribution, group: tuple[int, ...]) -> list[str]:
    # Members earlier in the cycle may get one slot more than later ones; order them by a hash of
    # their id rather than by file order, so nobody gains by where their row sits.
    ids = [distribution.people_ids[index] for index in group]
    return sorted(ids, key=lambda person: hashlib.sha256(person.encode()).hexdigest())


def _round_counts(
    compositions: IntArray, weights: FloatArray, counts: IntArray, panels: int
) -> IntArray:
    """Integer slots per composition summing to `panels`, each the floor or ceil of m q_j."""
    target = weights * panels
    base = np.floor(target + 1e-9).astype(np.int64)
    fraction = np.clip(target - base, 0.0, None)
    extra = panels - int(base.sum())
    candidates = np.nonzero(fraction > 1e-9)[0]
    if extra <= 0 or len(candidates) == 0:
        return base
    chosen = _best_roundup(compositions[candidates], fraction[candidates], counts, extra)
    base[candidates[chosen]] += 1
    return base


def _best_roundup(
    compositions: IntArray, fraction: FloatArray, counts: IntArray, extra: int
) -> IntArray:
    """Pick `extra` compositions to round up, greedily keeping per-person counts on target.

    The deviation of type t, in slots per person, is sum_j (y_j - f_j) c_jt / n_t. Each step
    rounds up the composition that most reduces the squared deviation over all types.
    """
    scaled = compositions / counts
    deviation = -(fraction @ scaled)
    norms = np.einsum("jt,jt->j", scaled, scaled)
    free = np.ones(len(fraction), dtype=bool)
    chosen = []
    for _ in range(extra):
        change = np.where(free, norms + 2.0 * (scaled @ deviation), np.inf)
        j = int(np.argmin(change))
        chosen.append(j)
        free[j] = False
        deviation += scaled[j]
    return np.array(chosen, dtype=np.int64)
