"""Opinion groups from map points: Polis's k-means with k chosen by silhouette.

Two strategies share the k search:

- "polis" clusters participants directly, starting k-means from the first k distinct points in
  sorted order (red-dwarf's deterministic `init="polis"`) and scoring with the exact silhouette,
  which reproduces red-dwarf but costs participants² time and memory in the silhouette.
- "two-level" first summarises participants by up to 100 base clusters (as Polis does), then
  runs weighted k-means over the base centres and scores with the silhouette of the base
  centres weighted by their sizes; every step after the base clusters costs O(base²).

Updates warm-start k-means from the previous centres and keep the previous group count unless
another count scores clearly better (`k_margin`), so a few new votes do not reshuffle groups.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import linear_sum_assignment
from scipy.spatial.distance import cdist
from sklearn.cluster import KMeans
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import silhouette_score

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

BASE_SAMPLE = 20_000
RESTARTS = 10


@dataclass(frozen=True, eq=False)
class Clusters:
    """A k-means partition: `labels` per point (0..k-1), `centers` (k x 2), its silhouette."""

    labels: IntArray
    centers: FloatArray
    silhouette: float


@dataclass(frozen=True, eq=False)
class BaseClusters:
    """Base clusters: each point's base, base centres and sizes."""

    labels: IntArray
    centers: FloatArray
    weights: FloatArray


def _kmeans(
    points: FloatArray,
    k: int,
    init: FloatArray,
    weights: FloatArray | None = None,
    max_iter: int = 300,
) -> tuple[IntArray, FloatArray]:
    with warnings.catch_warnings():
        # Duplicate points (identical voters) make sklearn warn that fewer clusters were found.
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = KMeans(n_clusters=k, init=init, n_init=1, max_iter=max_iter, algorithm="lloyd")
        model.fit(points, sample_weight=weights)
    return model.labels_.astype(np.int64), np.asarray(model.cluster_centers_, dtype=np.float64)


def polis_start(points: FloatArray, k: int) -> FloatArray | None:
    """The first k distinct points in lexicographic order (None if there are fewer)."""
    distinct = np.unique(points, axis=0)
    return distinct[:k] if len(distinct) >= k else None


def weighted_silhouette(points: FloatArray, weights: FloatArray, labels: IntArray) -> float:
    """Mean silhouette of the participants when each sits at its base centre.

    Point i stands for `weights[i]` participants at the same place, so its own cluster's mean
    distance divides by the cluster's size minus one, as the exact silhouette would.
    """
    clusters = np.unique(labels)
    if len(clusters) < 2:
        return -1.0
    distances = cdist(points, points)
    one_hot = (labels[:, np.newaxis] == clusters[np.newaxis, :]).astype(np.float64)
    sizes = weights @ one_hot
    sums = distances @ (one_hot * weights[:, np.newaxis])
    own = np.searchsorted(clusters, labels)
    own_size = sizes[own]
    with np.errstate(divide="ignore", invalid="ignore"):
        a = sums[np.arange(len(points)), own] / (own_size - 1)
        means = sums / sizes[np.newaxis, :]
        means[np.arange(len(points)), own] = np.inf
        b = means.min(axis=1)
        s = (b - a) / np.maximum(a, b)
    s = np.where((own_size <= 1) | ~np.isfinite(s), 0.0, s)
    return float(np.sum(s * weights) / np.sum(weights))


def _silhouette(points: FloatArray, labels: IntArray, weights: FloatArray | None) -> float:
    if weights is not None:
        return weighted_silhouette(points, weights, labels)
    if not 2 <= len(np.unique(labels)) <= len(points) - 1:
        return -1.0
    return float(silhouette_score(points, labels))


def choose_groups(
    points: FloatArray,
    k_range: range,
    *,
    weights: FloatArray | None = None,
    previous: FloatArray | None = None,
    k_margin: float = 0.0,
    search: bool = True,
    seed: int | None = None,
) -> Clusters:
    """k-means for each k in `k_range`; keep the best silhouette.

    With `previous` centres (from the last run) k-means for the previous k starts from them,
    and another k replaces it only if its silhouette is higher by more than `k_margin`; with
    `search` False only the previous k is fitted. Ties go to the smaller k. Without a `seed`
    k-means starts from red-dwarf's deterministic points; with one (weighted base centres, where
    restarts are cheap) the best of that start and ten seeded k-means++ starts is kept.
    """
    candidates: dict[int, Clusters] = {}
    previous_k = None if previous is None else len(previous)
    ks = [previous_k] if (not search and previous_k is not None) else list(k_range)
    for k in ks:
        if k is None:
            continue
        fitted: tuple[IntArray, FloatArray] | None
        if k == previous_k and previous is not None:
            fitted = (
                _kmeans(points, k, previous)
                if weights is None
                else _weighted_lloyd(points, weights, previous)
            )
        else:
            fitted = _fresh_kmeans(points, k, weights, seed)
        if fitted is None:
            continue
        labels, centers = fitted
        candidates[k] = Clusters(labels, centers, _silhouette(points, labels, weights))
    if not candidates:
        labels = np.zeros(len(points), dtype=np.int64)
        return Clusters(labels, np.atleast_2d(points.mean(axis=0)), -1.0)
    best_k = max(candidates, key=lambda k: (candidates[k].silhouette, -k))
    if previous_k in candidates and (
        candidates[best_k].silhouette - candidates[previous_k].silhouette <= k_margin
    ):
        best_k = previous_k
    return candidates[best_k]


def _fresh_kmeans(
    points: FloatArray, k: int, weights: FloatArray | None, seed: int | None
) -> tuple[IntArray, FloatArray] | None:
    start = polis_start(points, k)
    if start is None:
        return None
    if weights is None or seed is None:
        return _kmeans(points, k, start, weights)
    best = _weighted_lloyd(points, weights, start)
    rng = np.random.default_rng(seed)
    for _ in range(RESTARTS):
        candidate = _weighted_lloyd(points, weights, _plus_plus(points, weights, k, rng))
        if _inertia(points, *candidate, weights) < _inertia(points, *best, weights) - 1e-9:
            best = candidate
    return best


def _plus_plus(
    points: FloatArray, weights: FloatArray, k: int, rng: np.random.Generator
) -> FloatArray:
    """k-means++ seeding with each point counted `weights` times."""
    chosen = [int(rng.choice(len(points), p=weights / weights.sum()))]
    closest = np.sum((points - points[chosen[0]]) ** 2, axis=1)
    for _ in range(1, k):
        mass = closest * weights
        if mass.sum() <= 0:
            break
        chosen.append(int(rng.choice(len(points), p=mass / mass.sum())))
        closest = np.minimum(closest, np.sum((points - points[chosen[-1]]) ** 2, axis=1))
    # Zero remaining mass means fewer distinct points than k; the caller checked there are
    # enough, so this only guards against rounding.
    return points[chosen] if len(chosen) == k else np.unique(points, axis=0)[:k]


def _weighted_lloyd(
    points: FloatArray, weights: FloatArray, centers: FloatArray, max_iter: int = 300
) -> tuple[IntArray, FloatArray]:
    """Lloyd iterations in NumPy: for the <= 100 base centres this is far cheaper than
    scikit-learn's threaded k-means, whose per-call overhead dominates at this size."""
    centers = centers.copy()
    labels = np.zeros(len(points), dtype=np.int64)
    for _ in range(max_iter):
        distances = np.sum((points[:, np.newaxis, :] - centers[np.newaxis, :, :]) ** 2, axis=2)
        labels = np.argmin(distances, axis=1).astype(np.int64)
        mass = np.bincount(labels, weights=weights, minlength=len(centers))
        moved = centers.copy()
        for axis in range(points.shape[1]):
            totals = np.bincount(labels, weights=weights * points[:, axis], minlength=len(centers))
            moved[:, axis] = np.where(mass > 0, totals / np.maximum(mass, 1e-300), centers[:, axis])
        if np.allclose(moved, centers, rtol=0, atol=1e-12):
            break
        centers = moved
    return labels, centers


def _inertia(
    points: FloatArray, labels: IntArray, centers: FloatArray, weights: FloatArray | None
) -> float:
    squared = np.sum((points - centers[labels]) ** 2, axis=1)
    return float(np.sum(squared if weights is None else squared * weights))


def base_clusters(
    points: FloatArray, n_base: int, seed: int, previous: FloatArray | None = None
) -> BaseClusters:
    """Summarise points by at most `n_base` k-means centres (warm-started from `previous`)."""
    distinct = np.unique(points, axis=0)
    k = min(n_base, len(distinct))
    if previous is not None and len(previous) == k:
        start = previous
        max_iter = 50
    else:
        rng = np.random.default_rng(seed)
        sample = (
            points
            if len(points) <= BASE_SAMPLE
            else points[rng.choice(len(points), BASE_SAMPLE, replace=False)]
        )
        sample_distinct = np.unique(sample, axis=0)
        if len(sample_distinct) < k:
            sample_distinct = distinct
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            seeding = KMeans(n_clusters=k, n_init=1, max_iter=30, random_state=seed).fit(
                sample_distinct
            )
        start = np.asarray(seeding.cluster_centers_, dtype=np.float64)
        max_iter = 30
    labels, centers = _kmeans(points, k, start, max_iter=max_iter)
    weights = np.bincount(labels, minlength=k).astype(np.float64)
    return BaseClusters(labels, centers, weights)


def match_labels(
    previous_labels: IntArray, previous_ids: IntArray, labels: IntArray, k: int
) -> IntArray:
    """Group ids for clusters 0..k-1 that keep each previous group's id on its best match.

    `previous_labels` and `labels` describe the same participants (-1 where a participant was
    not in the previous analysis). Unmatched clusters get fresh ids above every previous one.
    """
    known = previous_labels >= 0
    n_previous = len(previous_ids)
    overlap = np.zeros((k, max(n_previous, 1)))
    if n_previous:
        np.add.at(overlap, (labels[known], previous_labels[known]), 1)
    rows, columns = linear_sum_assignment(-overlap)
    ids = np.full(k, -1, dtype=np.int64)
    for row, column in zip(rows.tolist(), columns.tolist(), strict=True):
        if column < n_previous:
            ids[row] = previous_ids[column]
    next_id = int(previous_ids.max(initial=-1)) + 1
    for row in np.flatnonzero(ids < 0).tolist():
        ids[row] = next_id
        next_id += 1
    return ids
