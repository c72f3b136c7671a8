"""The sparse participants x statements vote matrix, built from and updated with vote events."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import sparse

from cpps.engines.deliberation.types import VoteTable

# Votes are stored as value + 2 so that a pass (0) is an explicit, non-zero entry and a missing
# vote is an absent one; sparse arithmetic would otherwise drop passes.
CODE_DISAGREE, CODE_PASS, CODE_AGREE = 1, 2, 3


@dataclass(frozen=True, eq=False)
class VoteMatrix:
    """Latest vote of each participant on each statement.

    Rows follow `participants` (sorted for a fresh build, new participants appended by an
    update); columns follow `statements`. `codes` holds value + 2 for each cast vote.
    """

    participants: NDArray[Any]
    statements: NDArray[np.int64]
    codes: sparse.csr_array

    @property
    def shape(self) -> tuple[int, int]:
        """(participants, statements)."""
        return (len(self.participants), len(self.statements))

    def __getstate__(self) -> dict[str, Any]:
        """Pickled compactly (an analysis's state is kept between updates): column indices as
        16-bit numbers when there are few enough statements, as there nearly always are."""
        codes = self.codes
        narrow = self.shape[1] <= np.iinfo(np.uint16).max + 1
        return {
            "participants": self.participants,
            "statements": self.statements,
            "data": codes.data,
            "indices": codes.indices.astype(np.uint16) if narrow else codes.indices,
            "indptr": codes.indptr,
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        indptr = state["indptr"]
        shape = (len(state["participants"]), len(state["statements"]))
        codes = sparse.csr_array(
            (state["data"], state["indices"].astype(indptr.dtype), indptr), shape=shape
        )
        object.__setattr__(self, "participants", state["participants"])
        object.__setattr__(self, "statements", state["statements"])
        object.__setattr__(self, "codes", codes)

    def row_of_entries(self) -> NDArray[np.int64]:
        """The row of each stored vote, in storage order."""
        return np.repeat(np.arange(self.shape[0], dtype=np.int64), np.diff(self.codes.indptr))

    def voted(self) -> sparse.csr_array:
        """A 0/1 float matrix of every cast vote (agree, disagree or pass)."""
        return sparse.csr_array(
            (np.ones(self.codes.nnz), self.codes.indices, self.codes.indptr),
            shape=self.codes.shape,
        )

    def values(self) -> sparse.csr_array:
        """The votes as floats (-1, 0, 1), with passes stored explicitly."""
        return sparse.csr_array(
            (self.codes.data.astype(np.float64) - CODE_PASS, self.codes.indices, self.codes.indptr),
            shape=self.codes.shape,
        )

    def votes_per_participant(self, columns: NDArray[np.bool_] | None = None) -> NDArray[np.int64]:
        """How many statements (optionally only `columns`) each participant voted on."""
        if columns is None:
            return np.asarray(np.diff(self.codes.indptr), dtype=np.int64)
        counts = self.voted() @ columns.astype(np.float64)
        return np.asarray(np.rint(counts), dtype=np.int64)

    def votes_per_statement(self) -> NDArray[np.int64]:
        """How many participants voted on each statement."""
        return np.bincount(self.codes.indices, minlength=self.shape[1]).astype(np.int64)


def build_vote_matrix(votes: VoteTable, statement_ids: NDArray[np.int64]) -> VoteMatrix:
    """The matrix of `votes` (latest event per pair) over `statement_ids` plus any voted ones."""
    participants, rows = _encode(votes.participants)
    statements = np.union1d(np.asarray(statement_ids, dtype=np.int64), votes.statements)
    columns = np.searchsorted(statements, votes.statements)
    codes = _csr_from_events(
        rows.astype(np.int64),
        columns.astype(np.int64),
        votes.values,
        votes.timestamps,
        (len(participants), len(statements)),
    )
    return VoteMatrix(participants, statements, codes)


def _encode(ids: NDArray[Any]) -> tuple[NDArray[Any], NDArray[np.int64]]:
    """Sorted distinct ids and each entry's position among them.

    Integer ids in a compact range (the usual case: database keys, Polis pids) are encoded in
    linear time with a presence table instead of a sort.
    """
    if ids.dtype.kind in "iu" and ids.size:
        low, high = int(ids.min()), int(ids.max())
        if high - low < 4 * ids.size + 1024:
            present = np.zeros(high - low + 1, dtype=bool)
            present[ids - low] = True
            position = np.cumsum(present, dtype=np.int64) - 1
            return np.flatnonzero(present) + low, position[ids - low]
    distinct, inverse = np.unique(ids, return_inverse=True)
    return distinct, inverse.astype(np.int64)


def _csr_from_events(
    rows: NDArray[np.int64],
    columns: NDArray[np.int64],
    values: NDArray[np.int8],
    timestamps: NDArray[np.int64],
    shape: tuple[int, int],
) -> sparse.csr_array:
    """A CSR code matrix keeping, per cell, the latest event (later position on ties)."""
    keys = rows * shape[1] + columns
    # Stable sorts keep table order among equal timestamps; logs usually arrive in time order,
    # which saves the first sort.
    if np.all(timestamps[1:] >= timestamps[:-1]):
        order = np.argsort(keys, kind="stable")
    else:
        by_time = np.argsort(timestamps, kind="stable")
        order = by_time[np.argsort(keys[by_time], kind="stable")]
    sorted_keys = keys[order]
    is_last = np.ones(len(sorted_keys), dtype=bool)
    is_last[:-1] = sorted_keys[1:] != sorted_keys[:-1]
    kept = order[is_last]
    kept_rows = rows[kept]
    indptr = np.zeros(shape[0] + 1, dtype=np.int64)
    np.cumsum(np.bincount(kept_rows, minlength=shape[0]), out=indptr[1:])
    data = (values[kept].astype(np.int16) + CODE_PASS).astype(np.int8)
    index_dtype = np.int32 if max(shape[1], len(kept)) < 2**31 else np.int64
    return sparse.csr_array(
        (data, columns[kept].astype(index_dtype), indptr.astype(index_dtype)), shape=shape
    )


def add_votes(matrix: VoteMatrix, votes: VoteTable) -> tuple[VoteMatrix, int]:
    """`matrix` with `votes` applied on top (a batch overrides earlier votes on the same cells).

    Existing rows keep their positions; new participants and statements are appended, so
    per-participant state from a previous analysis stays aligned. Returns the new matrix and the
    number of new participants.
    """
    participant_index = {pid: row for row, pid in enumerate(matrix.participants.tolist())}
    new_ids = [
        pid for pid in dict.fromkeys(votes.participants.tolist()) if pid not in participant_index
    ]
    for offset, pid in enumerate(new_ids):
        participant_index[pid] = len(matrix.participants) + offset
    statement_index = {sid: col for col, sid in enumerate(matrix.statements.tolist())}
    new_statements = [
        s for s in dict.fromkeys(votes.statements.tolist()) if s not in statement_index
    ]
    for offset, sid in enumerate(new_statements):
        statement_index[sid] = len(matrix.statements) + offset
    participants = (
        np.concatenate([matrix.participants, np.asarray(new_ids, dtype=matrix.participants.dtype)])
        if new_ids
        else matrix.participants
    )
    statements = np.concatenate([matrix.statements, np.asarray(new_statements, dtype=np.int64)])
    shape = (len(participants), len(statements))
    rows = np.fromiter(
        (participant_index[p] for p in votes.participants.tolist()), np.int64, len(votes)
    )
    columns = np.fromiter(
        (statement_index[s] for s in votes.statements.tolist()), np.int64, len(votes)
    )
    delta = _csr_from_events(rows, columns, votes.values, votes.timestamps, shape)
    old = sparse.csr_array(
        (matrix.codes.data, matrix.codes.indices, matrix.codes.indptr), shape=matrix.codes.shape
    )
    old.resize(shape)
    overwritten = old.multiply(delta != 0)
    merged = (old.astype(np.int16) - overwritten.astype(np.int16) + delta.astype(np.int16)).tocsr()
    merged.eliminate_zeros()
    merged.sort_indices()
    codes = sparse.csr_array(
        (merged.data.astype(np.int8), merged.indices, merged.indptr), shape=shape
    )
    return VoteMatrix(participants, statements, codes), len(new_ids)
