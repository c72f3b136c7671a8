"""Polis's PCA of the vote matrix, computed sparsely.

Polis fills each missing vote with the statement's mean vote, centres, takes the top two
principal components, and stretches each participant's point by sqrt(statements / votes cast)
so people who voted little are not all bunched at the centre. After mean-filling and centring,
a missing vote is exactly zero, so the centred matrix keeps the sparsity of the votes: the
components are the top eigenvectors of its statements x statements Gram matrix, found from
sparse products alone, never from a dense participants x statements copy.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import linalg, sparse
from scipy.sparse import linalg as sparse_linalg

from cpps.engines.deliberation._matrix import VoteMatrix

FloatArray = NDArray[np.float64]

# Above this many statements the two leading eigenvectors come from Lanczos iterations.
DENSE_EIGEN_LIMIT = 300


@dataclass(frozen=True, eq=False)
class Projection:
    """Column means, the two components (2 x statements) and each participant's map point."""

    means: FloatArray
    components: FloatArray
    coordinates: FloatArray


def project(
    matrix: VoteMatrix, active: NDArray[np.bool_], previous: FloatArray | None = None
) -> Projection:
    """Project participants onto the first two principal components of the active statements.

    Moderated-out statements (not `active`) take no part in the components but, as in Polis
    (which zeroes their column rather than dropping it), count as answered when scaling. With
    `previous` components (same column order, possibly fewer columns), each new component's
    sign is chosen to agree with the old one so the map does not flip between updates;
    otherwise the sign convention is scikit-learn's (largest loading positive).
    """
    values = matrix.values()
    per_statement = matrix.votes_per_statement()
    voted = per_statement > 0
    used = active & voted
    sums = np.bincount(values.indices, weights=values.data, minlength=matrix.shape[1])
    means = np.where(used, sums / np.maximum(per_statement, 1), 0.0)
    centred_data = (values.data - means[values.indices]) * used[values.indices]
    centred = sparse.csr_array((centred_data, values.indices, values.indptr), shape=values.shape)
    components = _top_components(centred, used, previous)
    if previous is not None:
        overlap = min(previous.shape[1], components.shape[1])
        signs = np.sign(np.sum(previous[:, :overlap] * components[:, :overlap], axis=1))
        components *= np.where(signs == 0, 1.0, signs)[:, np.newaxis]
    else:
        strongest = np.argmax(np.abs(components), axis=1)
        components *= np.sign(components[np.arange(len(components)), strongest])[:, np.newaxis]
    coordinates = np.asarray(centred @ components.T, dtype=np.float64)
    answered = matrix.votes_per_participant(used) + int(np.count_nonzero(voted & ~active))
    scale = np.sqrt(np.count_nonzero(voted) / np.maximum(answered, 1))
    return Projection(means, components, coordinates * scale[:, np.newaxis])


def _top_components(
    centred: sparse.csr_array, used: NDArray[np.bool_], previous: FloatArray | None = None
) -> FloatArray:
    """The two leading right singular vectors of `centred` (2 x columns), zero if degenerate.

    With `previous` components (an update), Lanczos starts from them: after a small batch of
    votes they are close to the answer, which then takes fewer sparse products.
    """
    columns = np.flatnonzero(used)
    components = np.zeros((2, centred.shape[1]))
    if len(columns) == 0:
        return components
    reduced = centred if len(columns) == centred.shape[1] else centred[:, columns]
    n = len(columns)
    wanted = min(2, n)
    if n <= DENSE_EIGEN_LIMIT:
        gram = (reduced.T @ reduced).toarray()
        _, vectors = linalg.eigh(gram, subset_by_index=[n - wanted, n - 1])
    else:
        # Lanczos on x -> R^T (R x): a few dozen sparse products, never forming the
        # statements x statements Gram matrix (R^T is R read by columns, not a copy); a fixed
        # start vector keeps it deterministic.
        transposed = reduced.T
        gram_operator = sparse_linalg.LinearOperator(
            (n, n), matvec=lambda x: transposed @ (reduced @ x), dtype=np.float64
        )
        start = _start_vector(n, columns, previous)
        values, vectors = sparse_linalg.eigsh(gram_operator, k=wanted, which="LA", v0=start, tol=0)
        vectors = vectors[:, np.argsort(values)]
    components[:wanted, columns] = vectors[:, ::-1].T
    return components


def _start_vector(
    n: int, columns: NDArray[np.int64], previous: FloatArray | None
) -> NDArray[np.float64]:
    """Lanczos's start: the previous components' sum where there are some (with a little of
    the fixed random vector, so no direction is missing), else the fixed random vector."""
    start = np.random.default_rng(0).standard_normal(n)
    if previous is None:
        return start
    known = columns[columns < previous.shape[1]]
    warm = np.zeros(n)
    warm[: len(known)] = previous[0, known] + previous[1, known]
    norm = float(np.linalg.norm(warm))
    if norm == 0:
        return start
    return warm / norm + 1e-3 * start / float(np.linalg.norm(start))
