"""Small-cell suppression of published count tables, with complementary suppression, and
optional noise that stops two releases from being differenced.

A table is published with its row totals, column totals and grand total. With the totals'
signs flipped, every row and column of that bordered table sums to zero, so the suppressed cells
form a bipartite graph (rows and columns as vertices, cells as edges) whose solutions differ only
along cycles: a suppressed cell can be worked out by subtraction exactly when it is a bridge of
that graph. Complementary suppression therefore adds the cheapest published cells that put every
suppressed cell on a cycle.

Suppression alone cannot hide one resident's answer when the same table is published before and
after they answer (the column total for their answer goes up by one). ``add_count_noise`` adds
two-sided geometric noise (epsilon-differential privacy per table) before suppression, which
bounds what any such comparison reveals.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import overload

import numpy as np
import numpy.typing as npt
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components, dijkstra

from cpps.engines.errors import EngineError

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

DEFAULT_THRESHOLD = 10
# Suppressed cells cost (almost) nothing to route through; zero cells make weak complements
# because nobody can be fewer than zero, so they cost more than any real count.
_FREE = 1e-9
_ZERO_CELL_COST = 1e9


class SuppressionError(EngineError):
    """A table cannot be published safely as given."""


@dataclass(frozen=True)
class SuppressedTable:
    """A count table ready to publish, with totals, and which cells are withheld.

    Attributes:
        row_labels, column_labels: labels of the inner rows and columns (totals are last).
        counts: the bordered table, shape (rows + 1, columns + 1); the last row holds column
            totals, the last column row totals, the corner the grand total.
        suppressed: cells withheld from publication (same shape).
        primary: cells withheld because they are small (0 < count < threshold).
        threshold: the smallest count published.
    """

    row_labels: tuple[str, ...]
    column_labels: tuple[str, ...]
    counts: IntArray
    suppressed: BoolArray
    primary: BoolArray
    threshold: int

    def published(self) -> list[list[int | None]]:
        """The bordered table as it may be shown: withheld cells are ``None``."""
        return [
            [None if hidden else int(value) for value, hidden in zip(row, mask, strict=True)]
            for row, mask in zip(self.counts.tolist(), self.suppressed.tolist(), strict=True)
        ]


def suppress_table(
    cells: Sequence[Sequence[int]] | IntArray,
    *,
    threshold: int = DEFAULT_THRESHOLD,
    row_labels: Sequence[str] | None = None,
    column_labels: Sequence[str] | None = None,
    column_totals: bool = True,
) -> SuppressedTable:
    """Withhold every count below ``threshold`` and enough others that none can be recovered.

    Counts of zero are published (nobody is described by them). Every other count below the
    threshold, including totals, is withheld; then further cells, cheapest (smallest) first,
    are withheld until no withheld cell can be worked out from the published cells and totals.

    Args:
        cells: counts, one row per group and one column per answer (no totals).
        threshold: the smallest count that may be published (k), at least 2.
        row_labels, column_labels: names for the rows and columns.
        column_totals: whether the column totals (and grand total) are published; when not,
            they are withheld and serve as complements for free.

    Raises:
        SuppressionError: negative or non-integer counts, an empty table, or a bad threshold.
    """
    table = _as_counts(cells)
    if threshold < 2:
        raise SuppressionError(f"A threshold of {threshold} protects nobody; use 2 or more.")
    rows, columns = table.shape
    bordered = np.zeros((rows + 1, columns + 1), dtype=np.int64)
    bordered[:rows, :columns] = table
    bordered[:rows, columns] = table.sum(axis=1)
    bordered[rows, :columns] = table.sum(axis=0)
    bordered[rows, columns] = table.sum()
    primary = is_small(bordered, threshold=threshold)
    unpublished = np.zeros_like(primary)
    if not column_totals:
        unpublished[rows, :] = True
    suppressed = _complement(bordered, primary | unpublished, protect=~unpublished)
    return SuppressedTable(
        row_labels=_labels(row_labels, rows, "row"),
        column_labels=_labels(column_labels, columns, "column"),
        counts=bordered,
        suppressed=suppressed,
        primary=primary,
        threshold=threshold,
    )


@overload
def is_small(counts: int, *, threshold: int) -> bool: ...
@overload
def is_small(counts: IntArray, *, threshold: int) -> BoolArray: ...
def is_small(counts: int | IntArray, *, threshold: int) -> bool | BoolArray:
    """Whether a count may not be published: it describes somebody, but fewer than
    ``threshold`` people (a zero describes nobody and is published)."""
    return (counts > 0) & (counts < threshold)


def withheld_groups(
    sizes: Sequence[int], *, threshold: int, unpublished: Sequence[bool] | None = None
) -> list[bool]:
    """Which groups of one breakdown to withhold when the breakdown's total is published.

    A group is withheld when it is small, or when it is the cheapest complement: with exactly
    one group withheld, the total minus the published groups would give it away, so the
    smallest other group (a non-empty one when there is one) is withheld with it. Groups that
    are never published (``unpublished``, e.g. people who did not say) count as withheld
    complements.

    Raises:
        SuppressionError: negative sizes, a bad threshold, or mismatched lengths.
    """
    if threshold < 2:
        raise SuppressionError(f"A threshold of {threshold} protects nobody; use 2 or more.")
    if any(size < 0 for size in sizes):
        raise SuppressionError("Counts cannot be negative.")
    hidden = list(unpublished) if unpublished is not None else [False] * len(sizes)
    if len(hidden) != len(sizes):
        raise SuppressionError(f"There are {len(hidden)} flags for {len(sizes)} groups.")
    small = [is_small(int(size), threshold=threshold) for size in sizes]
    withheld = [s or h for s, h in zip(small, hidden, strict=True)]
    if any(small) and sum(withheld) == 1:
        candidates = [i for i, held in enumerate(withheld) if not held]
        if candidates:
            complement = min(candidates, key=lambda i: (sizes[i] == 0, sizes[i], i))
            withheld[complement] = True
    return withheld


def add_count_noise(
    cells: Sequence[Sequence[int]] | IntArray, *, epsilon: float, rng: np.random.Generator
) -> IntArray:
    """Add two-sided geometric noise to each count (clipped at zero) before publishing.

    One resident changes one cell by one, so each noisy table is ``epsilon``-differentially
    private: any published table is at most ``exp(epsilon)`` times likelier with or without that
    resident (``exp(2 * epsilon)`` between two different answers of theirs). Suppress the noisy
    table, not the true one, so the choice of withheld cells reveals nothing either.
    """
    table = _as_counts(cells)
    if epsilon <= 0:
        raise SuppressionError(f"Epsilon must be positive, not {epsilon:g}.")
    success = -np.expm1(-epsilon)
    noise = rng.geometric(success, size=table.shape) - rng.geometric(success, size=table.shape)
    noisy: IntArray = np.clip(table + noise, 0, None).astype(np.int64)
    return noisy


def _as_counts(cells: Sequence[Sequence[int]] | IntArray) -> IntArray:
    table = np.asarray(cells)
    if table.ndim != 2 or table.size == 0:
        raise SuppressionError("A table needs at least one row and one column of counts.")
    whole = np.issubdtype(table.dtype, np.integer) or (
        np.all(np.isfinite(table)) and np.all(table == np.round(table))
    )
    if not whole:
        raise SuppressionError("Only whole-number counts can be suppressed, not shares.")
    if np.any(table < 0):
        raise SuppressionError("Counts cannot be negative.")
    counts: IntArray = table.astype(np.int64)
    return counts


def _labels(labels: Sequence[str] | None, size: int, kind: str) -> tuple[str, ...]:
    if labels is None:
        return tuple(f"{kind} {i + 1}" for i in range(size))
    if len(labels) != size:
        raise SuppressionError(f"There are {len(labels)} {kind} labels for {size} {kind}s.")
    return tuple(str(label) for label in labels)


def _complement(bordered: IntArray, suppressed: BoolArray, *, protect: BoolArray) -> BoolArray:
    """Withhold further cells until no withheld cell in ``protect`` is a bridge of the
    withheld-cell graph (cells never published need no protection: they are free detours)."""
    while True:
        bridge = _first_bridge(suppressed, protect)
        if bridge is None:
            return suppressed
        for cell in _cheapest_detour(bordered, suppressed, bridge):
            suppressed[cell] = True


def _first_bridge(suppressed: BoolArray, protect: BoolArray) -> tuple[int, int] | None:
    """The first protected withheld cell (row-major) that no cycle of withheld cells passes
    through."""
    rows, columns = suppressed.shape
    cells = [(int(r), int(c)) for r, c in zip(*np.nonzero(suppressed), strict=True)]
    adjacency: list[list[tuple[int, int]]] = [[] for _ in range(rows + columns)]
    for edge, (row, column) in enumerate(cells):
        adjacency[row].append((rows + column, edge))
        adjacency[rows + column].append((row, edge))
    bridges = [edge for edge in _bridges(adjacency) if protect[cells[edge]]]
    return cells[min(bridges)] if bridges else None


def _bridges(adjacency: list[list[tuple[int, int]]]) -> set[int]:
    """Edges on no cycle (Tarjan's low-link, iterative so large tables cannot overflow)."""
    order = [-1] * len(adjacency)
    low = [0] * len(adjacency)
    found: set[int] = set()
    counter = 0
    for root in range(len(adjacency)):
        if order[root] != -1 or not adjacency[root]:
            continue
        order[root] = low[root] = counter
        counter += 1
        stack = [(root, -1, iter(adjacency[root]))]
        while stack:
            vertex, via, neighbours = stack[-1]
            for neighbour, edge in neighbours:
                if edge == via:
                    continue
                if order[neighbour] == -1:
                    order[neighbour] = low[neighbour] = counter
                    counter += 1
                    stack.append((neighbour, edge, iter(adjacency[neighbour])))
                    break
                low[vertex] = min(low[vertex], order[neighbour])
            else:
                stack.pop()
                if stack:
                    parent = stack[-1][0]
                    low[parent] = min(low[parent], low[vertex])
                    if low[vertex] > order[parent]:
                        found.add(via)
    return found


def _components(suppressed: BoolArray) -> IntArray:
    rows, columns = suppressed.shape
    row_index, column_index = np.nonzero(suppressed)
    size = rows + columns
    graph = coo_matrix(
        (np.ones(row_index.size), (row_index, rows + column_index)), shape=(size, size)
    )
    _, labels = connected_components(graph, directed=False)
    result: IntArray = labels.astype(np.int64)
    return result


def _cheapest_detour(
    bordered: IntArray, suppressed: BoolArray, bridge: tuple[int, int]
) -> list[tuple[int, int]]:
    """Cells to withhold so that ``bridge`` lies on a cycle: a cheapest path around it."""
    rows, columns = bordered.shape
    without = suppressed.copy()
    without[bridge] = False
    labels = _components(without)
    start, goal = labels[bridge[0]], labels[rows + bridge[1]]
    cost = np.where(bordered > 0, bordered.astype(np.float64), _ZERO_CELL_COST)
    cost = np.where(without, _FREE, cost)
    cost[bridge] = np.inf
    row_index, column_index = np.nonzero(np.isfinite(cost))
    weights = cost[row_index, column_index]
    size = rows + columns
    graph = coo_matrix(
        (
            np.concatenate([weights, weights]),
            (
                np.concatenate([row_index, rows + column_index]),
                np.concatenate([rows + column_index, row_index]),
            ),
        ),
        shape=(size, size),
    ).tocsr()
    sources = np.flatnonzero(labels == start)
    distances, predecessors, _ = dijkstra(
        graph, indices=sources, min_only=True, return_predecessors=True
    )
    targets = np.flatnonzero(labels == goal)
    target = int(targets[np.argmin(distances[targets])])
    if not np.isfinite(distances[target]):
        raise SuppressionError("The table is too small to protect its small cells; merge groups.")
    path: list[tuple[int, int]] = []
    vertex = target
    while predecessors[vertex] >= 0:
        previous = int(predecessors[vertex])
        row, column = (previous, vertex - rows) if previous < rows else (vertex, previous - rows)
        path.append((row, column))
        vertex = previous
    return path
