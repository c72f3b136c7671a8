"""The only bridge between stored conversations and the deliberation engine: votes fetched in
bulk as arrays (never as ORM objects), the engine's analysis turned into what pages show, the
engine's state kept (signed) for the next incremental update, and a participant placed on the
map from the stored projection.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import pickle
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import lz4.frame
import numpy as np
import psycopg
from django.conf import settings
from django.db import connection
from django.db.models.fields.json import KT
from numpy.typing import NDArray
from psycopg.abc import Buffer
from psycopg.adapt import Loader
from psycopg.pq import Format

from cpps.common.disclosure import small_cell_threshold
from cpps.deliberation.models import Statement, StatementState, Vote
from cpps.engines import deliberation as engine
from cpps.participation.models import Participant
from cpps.participation.weighting import (
    CENSUS_VARIABLES,
    Respondent,
    census_weights,
    missing_groups,
    process_census,
    share_figures,
)
from cpps.processes.models import Process

MAP_CELLS = 24
# How the engine codes a cast vote in its matrix (value + 2), read back for the counts.
CODE_DISAGREE, CODE_PASS, CODE_AGREE = 1, 2, 3
# The format is part of the purpose: a state written by an older format is not signed for this
# one, so it is set aside (the next analysis starts afresh) rather than misread.
STATE_PURPOSE = b"cpps.deliberation.analysis-state.lz4-pickle.2"
MODERATED = {StatementState.ACCEPTED: 1, StatementState.PENDING: 0, StatementState.REJECTED: -1}

_POSTGRES_EPOCH_MS = 946_684_800_000  # a timestamptz counts microseconds from 2000-01-01
# Vote ids read per query on PostgreSQL: each column comes back as one array, which PostgreSQL
# caps at 1 GB (12 bytes an element in binary), so a huge conversation is read in id ranges.
VOTE_ID_RANGE = 5_000_000


@dataclass(frozen=True, eq=False)
class FetchedVotes:
    """Vote events as arrays, with the highest vote id read."""

    table: engine.VoteTable
    last_id: int


class _RawArray(Loader):
    """An array column in PostgreSQL's binary format, left as bytes for NumPy to read."""

    format = Format.BINARY

    def load(self, data: Buffer) -> bytes:
        return bytes(data)


# int8[], int2[] and timestamptz[]: what the vote columns aggregate to.
_ARRAY_TYPES = (1016, 1005, 1185)
_VOTE_COLUMNS = "array_agg(id), array_agg(participant_id), array_agg(statement_id), "
_VOTE_COLUMNS += "array_agg(value), array_agg(cast_at)"


def _binary_array(data: bytes | None, width: int) -> NDArray[Any]:
    """The elements of a one-dimensional binary array of ``width``-byte integers (each is
    preceded by its length)."""
    if data is None:
        return np.zeros(0, dtype=np.int64)
    dimensions = int(np.frombuffer(data[:4], dtype=">i4")[0])
    element = np.dtype([("length", ">i4"), ("value", f">i{width}")])
    return np.frombuffer(data, dtype=element, offset=12 + 8 * dimensions)["value"]


def _postgres_votes(process: Process, after: int) -> list[NDArray[Any]]:
    """(ids, participants, statement ids, values, milliseconds) of the votes after ``after``.

    Each column is aggregated into one array and read in binary straight into NumPy: millions
    of rows without a Python object, or a message, each (COPY sends a message per row, which
    costs more than the rows). No join and no ORDER BY: numbers and order are NumPy's work.
    """
    sql = (
        f"SELECT {_VOTE_COLUMNS} FROM {Vote._meta.db_table} "  # noqa: S608 - names from models
        "WHERE process_id = %s AND id > %s AND id <= %s"
    )
    connection.ensure_connection()
    chunks: list[list[NDArray[Any]]] = []
    with psycopg.Cursor(connection.connection) as cursor:
        for oid in _ARRAY_TYPES:
            cursor.adapters.register_loader(oid, _RawArray)
        cursor.execute(f"SELECT max(id) FROM {Vote._meta.db_table}")  # noqa: S608
        top = cursor.fetchone()
        highest = int(top[0]) if top and top[0] is not None else after
        # The analysis is a task, not a request: the requests' statement timeout does not
        # apply to its reads of millions of votes (restored to the connection's own after).
        cursor.execute("SET statement_timeout = 0")
        try:
            for low in range(after, highest, VOTE_ID_RANGE):
                cursor.execute(sql, [process.pk, low, low + VOTE_ID_RANGE], binary=True)
                row = cursor.fetchone()
                if row is not None and row[0] is not None:
                    chunks.append(_vote_arrays(row))
        finally:
            cursor.execute("RESET statement_timeout")
    if not chunks:
        return [np.zeros(0, dtype=np.int64) for _ in range(5)]
    return [np.concatenate([chunk[j] for chunk in chunks]) for j in range(5)]


def _vote_arrays(row: tuple[Any, ...]) -> list[NDArray[Any]]:
    ids, participants, statements, values, cast_at = row
    return [
        _binary_array(ids, 8),
        _binary_array(participants, 8),
        _binary_array(statements, 8),
        _binary_array(values, 2),
        _binary_array(cast_at, 8) // 1000 + _POSTGRES_EPOCH_MS,
    ]


def _sqlite_votes(process: Process, after: int) -> list[NDArray[Any]]:
    milliseconds = "CAST((julianday(cast_at) - 2440587.5) * 86400000 AS INTEGER)"
    sql = (
        f"SELECT id, participant_id, statement_id, value, {milliseconds} "  # noqa: S608
        f"FROM {Vote._meta.db_table} WHERE process_id = %s AND id > %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [process.pk, after])
        fetched = cursor.fetchall()
    return list(np.array(fetched, dtype=np.int64).reshape(-1, 5).T)


def votes_fetch(*, process: Process, after: int = 0) -> FetchedVotes:
    """Every vote of the conversation with an id above ``after``, in id order, as arrays."""
    read = _postgres_votes if connection.vendor == "postgresql" else _sqlite_votes
    ids, participants, statements, values, stamps = read(process, after)
    ids = np.asarray(ids, dtype=np.int64)
    order = None if np.all(ids[1:] > ids[:-1]) else np.argsort(ids, kind="stable")

    def in_order(column: NDArray[Any]) -> NDArray[np.int64]:
        array = np.asarray(column, dtype=np.int64)
        return array if order is None else array[order]

    table = engine.VoteTable.from_arrays(
        in_order(participants),
        _statement_numbers(process, in_order(statements)),
        in_order(values),
        in_order(stamps),
    )
    last = int(ids.max()) if len(ids) else after
    return FetchedVotes(table=table, last_id=last)


def _statement_numbers(process: Process, ids: NDArray[np.int64]) -> NDArray[np.int64]:
    """The statement number (the engine's statement id) of each statement row id."""
    known = np.array(
        Statement.objects.filter(process=process).values_list("pk", "number"), dtype=np.int64
    ).reshape(-1, 2)
    known = known[np.argsort(known[:, 0])]
    return known[np.searchsorted(known[:, 0], ids), 1] if len(ids) else ids


def engine_statements(process: Process) -> tuple[engine.Statement, ...]:
    """Every statement as the engine sees it: its number and whether moderators accepted it."""
    rows = Statement.objects.filter(process=process).values_list("number", "state", "text")
    return tuple(
        engine.Statement(id=number, text=text, moderated=MODERATED[StatementState(state)])
        for number, state, text in rows.order_by("number")
    )


# --- The engine's state, kept for the next update -----------------------------------------------


def _signature(data: bytes | memoryview) -> bytes:
    key = hashlib.sha256(STATE_PURPOSE + settings.SECRET_KEY.encode("utf-8")).digest()
    return hmac.new(key, data, hashlib.sha256).digest()


def state_dump(analysis: engine.Analysis) -> bytes:
    """The engine's analysis (with its state: the vote matrix, not the vote log) as signed,
    compressed bytes. LZ4 rather than zlib: it halves the state at several hundred megabytes a
    second, where zlib's fastest level takes about a second per 30 MB (100,000 participants),
    and this runs on every analysis."""
    data: bytes = lz4.frame.compress(pickle.dumps(analysis, protocol=pickle.HIGHEST_PROTOCOL))
    return _signature(data) + data


def state_load(stored: bytes | memoryview) -> engine.Analysis | None:
    """The analysis back from `state_dump`'s bytes, or None if they were not signed here (a
    different SECRET_KEY, altered, or an older format): the next analysis then starts afresh."""
    signature, data = bytes(stored[:32]), memoryview(stored)[32:]
    if not hmac.compare_digest(signature, _signature(data)):
        return None
    try:
        plain = lz4.frame.decompress(data)
    except RuntimeError:  # not an LZ4 frame
        return None
    loaded = pickle.loads(plain)  # noqa: S301 - signed by this deployment, checked above
    return loaded if isinstance(loaded, engine.Analysis) else None


# --- What pages show -----------------------------------------------------------------------------


def _counts(stats: engine.StatementStats) -> list[int]:
    return [stats.n_agree, stats.n_disagree, stats.n_pass]


def _map(analysis: engine.Analysis) -> dict[str, Any]:
    """Participants on the map as counts per cell and group: enough to draw, never a person."""
    coordinates = np.asarray(analysis.coordinates, dtype=np.float64)
    if len(coordinates) == 0:
        return {"bounds": [0, 1, 0, 1], "cells": []}
    low, high = coordinates.min(axis=0), coordinates.max(axis=0)
    span = np.where(high - low > 0, high - low, 1.0)
    placed = {pid: index for index, pid in enumerate(analysis.participants)}
    group_of = np.full(len(coordinates), -1, dtype=np.int64)
    for pid, label in zip(analysis.participants_in, analysis.group_labels.tolist(), strict=True):
        group_of[placed[pid]] = label
    cells = np.minimum(((coordinates - low) / span * MAP_CELLS).astype(np.int64), MAP_CELLS - 1)
    keys = (cells[:, 0] * MAP_CELLS + cells[:, 1]) * 16 + (group_of + 1)
    unique, counts = np.unique(keys, return_counts=True)
    return {
        "bounds": [float(low[0]), float(high[0]), float(low[1]), float(high[1])],
        "cells": [
            [int(key // 16 // MAP_CELLS), int(key // 16 % MAP_CELLS), int(key % 16) - 1, int(n)]
            for key, n in zip(unique.tolist(), counts.tolist(), strict=True)
        ],
    }


def _respondents(process: Process, members: Sequence[int]) -> list[Respondent]:
    """The answers about themselves that weighting reads (the census variables), of each
    member: read as text columns for the whole conversation at once, not as a JSON document
    per participant. Members who said the same share one (frozen) record: a large
    conversation has a few dozen combinations of answers, not a record per person."""
    variables = CENSUS_VARIABLES
    rows = (
        Participant.objects.filter(process=process)
        .annotate(**{f"said_{v}": KT(f"demographics__{v}") for v in variables})
        .values_list("pk", *(f"said_{v}" for v in variables))
    )
    said = {row[0]: row[1:] for row in rows.iterator(chunk_size=20_000)}
    nothing = (None,) * len(variables)
    shared: dict[tuple[str | None, ...], Respondent] = {}

    def respondent(answers: tuple[str | None, ...]) -> Respondent:
        known = shared.get(answers)
        if known is None:
            groups = {v: a for v, a in zip(variables, answers, strict=True) if a is not None}
            known = shared[answers] = Respondent(groups=groups)
        return known

    return [respondent(said.get(pk, nothing)) for pk in members]


def _weighted_groups(process: Process, analysis: engine.Analysis) -> dict[str, Any]:
    """Group sizes among everyone placed, raw and weighted to the census of the conversation's
    areas (by area and the optional answers about oneself), with intervals and who is missing."""
    members = [int(pid) for pid in analysis.participants_in]
    respondents = _respondents(process, members)
    census = process_census(process)
    weighting = census_weights(respondents, census)
    labels = [str(int(label)) for label in analysis.group_labels.tolist()]
    options = sorted(set(labels), key=int)
    alone = {option: [option] for option in options}
    chosen: list[Sequence[str] | None] = [alone[label] for label in labels]
    weighted = share_figures(chosen, options, weighting.weights)
    raw = share_figures(chosen, options, np.ones(len(labels)))
    return {
        "weighted": weighting.weighted,
        "variables": list(weighting.variables),
        "note": weighting.note,
        "effective_n": float(weighting.effective_n),
        "groups": [
            {
                "id": int(option),
                "raw": [figure.value, figure.low, figure.high],
                "weighted": [w.value, w.low, w.high],
                "n": figure.n,
            }
            for option, figure, w in zip(options, raw, weighted, strict=True)
        ],
        "missing": [
            {
                "variable": row.variable,
                "category": row.category,
                "share": row.sample_share,
                "census": row.target_share,
                "count": row.sample_count,
            }
            for row in missing_groups(respondents, census)
            if row.status == "under"
        ],
    }


def _overall_counts(analysis: engine.Analysis) -> dict[str, list[int]]:
    """Agree, disagree and pass counts of everyone who voted, per statement number."""
    matrix = analysis.state.matrix
    codes = matrix.codes
    columns = len(matrix.statements)
    counted = [
        np.bincount(codes.indices[codes.data == code], minlength=columns)
        for code in (CODE_AGREE, CODE_DISAGREE, CODE_PASS)
    ]
    return {
        str(int(number)): [int(counted[0][j]), int(counted[1][j]), int(counted[2][j])]
        for j, number in enumerate(matrix.statements.tolist())
    }


def summary_of(process: Process, analysis: engine.Analysis) -> dict[str, Any]:
    """Everything the results pages show, as plain JSON: groups with their sizes and
    representative statements, vote counts per group and overall, consensus and bridging
    statements, the map in cells, and the weighted view."""
    return {
        "participants": len(analysis.participants),
        "participants_in": len(analysis.participants_in),
        "silhouette": float(analysis.silhouette),
        "statements": list(analysis.statements),
        # The small-cell threshold in force when analysed (pages apply today's rule).
        "threshold": small_cell_threshold(),
        "groups": [
            {
                "id": group.id,
                "size": len(group.members),
                "center": [float(group.center[0]), float(group.center[1])],
                "representative": [
                    {
                        "statement": r.statement,
                        "direction": r.direction,
                        "p": float(r.p),
                        "ratio": float(r.ratio),
                        "test": float(r.test),
                    }
                    for r in group.representative
                ],
                "votes": {str(s.statement): _counts(s) for s in group.stats},
            }
            for group in analysis.groups
        ],
        "overall": _overall_counts(analysis),
        "consensus": {
            "agree": [
                {"statement": c.statement, "p": float(c.p)} for c in analysis.consensus_agree
            ],
            "disagree": [
                {"statement": c.statement, "p": float(c.p)} for c in analysis.consensus_disagree
            ],
        },
        "bridging": [
            {"statement": s.statement, "score": float(s.score)}
            for s in analysis.group_informed_consensus[:10]
        ],
        "map": _map(analysis),
        "weighting": _weighted_groups(process, analysis),
        "report": {
            "new_votes": analysis.report.new_votes,
            "reclustered": analysis.report.reclustered,
            "relabelled": analysis.report.relabelled,
        },
    }


def projection_dump(analysis: engine.Analysis) -> bytes:
    """The map's geometry for placing one participant later (`place_participant`)."""
    state = analysis.state
    buffer = io.BytesIO()
    np.savez_compressed(
        buffer,
        statements=np.asarray(state.matrix.statements, dtype=np.int64),
        means=np.asarray(state.projection.means, dtype=np.float64),
        components=np.asarray(state.projection.components, dtype=np.float64),
        group_ids=np.asarray([g.id for g in analysis.groups], dtype=np.int64),
        centers=np.asarray([g.center for g in analysis.groups], dtype=np.float64).reshape(-1, 2),
        min_votes=np.asarray([analysis.options.min_votes]),
    )
    return buffer.getvalue()


@dataclass(frozen=True)
class Placement:
    """Where one participant stands: the nearest group, or how many more votes it needs."""

    group: int | None
    votes: int
    needed: int


def place_participant(projection: bytes, votes: Sequence[tuple[int, int]]) -> Placement:
    """Project one participant's latest votes (statement number, value) onto the stored map, as
    the engine projects everyone, and name the nearest group centre."""
    stored = np.load(io.BytesIO(bytes(projection)), allow_pickle=False)
    statements, means, components = stored["statements"], stored["means"], stored["components"]
    centers, group_ids = stored["centers"], stored["group_ids"]
    needed = int(stored["min_votes"][0])
    column = {int(number): j for j, number in enumerate(statements.tolist())}
    latest = {number: value for number, value in votes if number in column}
    if len(latest) < min(needed, len(statements)) or not len(centers):
        return Placement(None, len(latest), max(0, needed - len(latest)))
    row = np.zeros(len(statements))
    answered = np.zeros(len(statements), dtype=bool)
    for number, value in latest.items():
        row[column[number]] = value - means[column[number]]
        answered[column[number]] = True
    used = np.any(components != 0, axis=0)
    point = (row * used) @ components.T
    voted_columns = int(np.count_nonzero(means != 0) or len(statements))
    point *= np.sqrt(voted_columns / max(int(np.count_nonzero(answered & used)), 1))
    nearest = int(np.argmin(np.sum((centers - point) ** 2, axis=1)))
    return Placement(int(group_ids[nearest]), len(latest), 0)
