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
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.conf import settings
from django.db import connection
from numpy.typing import NDArray

from cpps.common.disclosure import small_cell_threshold
from cpps.deliberation.models import Statement, StatementState, Vote
from cpps.engines import deliberation as engine
from cpps.participation.models import Participant
from cpps.participation.weighting import (
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
STATE_PURPOSE = b"cpps.deliberation.analysis-state"
MODERATED = {StatementState.ACCEPTED: 1, StatementState.PENDING: 0, StatementState.REJECTED: -1}

# One row of PostgreSQL's binary COPY for (id bigint, participant bigint, statement integer,
# value smallint, cast_at bigint ms): a field count, then each field's length and value.
_COPY_ROW = np.dtype(
    [
        ("fields", ">i2"),
        ("id_length", ">i4"),
        ("id", ">i8"),
        ("participant_length", ">i4"),
        ("participant", ">i8"),
        ("statement_length", ">i4"),
        ("statement", ">i4"),
        ("value_length", ">i4"),
        ("value", ">i2"),
        ("cast_length", ">i4"),
        ("cast_at", ">i8"),
    ]
)
_COPY_HEADER = 19  # signature (11), flags (4), header extension length (4)


@dataclass(frozen=True, eq=False)
class FetchedVotes:
    """Vote events as arrays, with the highest vote id read."""

    table: engine.VoteTable
    last_id: int


def _vote_query(process: Process, after: int) -> tuple[str, list[Any]]:
    votes, statements = Vote._meta.db_table, Statement._meta.db_table
    sql = (
        f"SELECT v.id, v.participant_id, s.number, v.value, "  # noqa: S608 - table names from models
        f"{_milliseconds('v.cast_at')} FROM {votes} v JOIN {statements} s ON s.id = v.statement_id "
        f"WHERE v.process_id = %s AND v.id > %s ORDER BY v.id"
    )
    return sql, [process.pk, after]


def _milliseconds(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"(extract(epoch from {column}) * 1000)::bigint"
    return f"CAST((julianday({column}) - 2440587.5) * 86400000 AS INTEGER)"


def votes_fetch(*, process: Process, after: int = 0) -> FetchedVotes:
    """Every vote of the conversation with an id above ``after``, in id order, as arrays.

    On PostgreSQL the rows come through binary COPY and are read straight into NumPy, so ten
    million votes load in seconds without a Python object each.
    """
    sql, parameters = _vote_query(process, after)
    if connection.vendor == "postgresql":
        rows = _copy_rows(sql, parameters)
        ids, participants = rows["id"], rows["participant"]
        statements, values, stamps = rows["statement"], rows["value"], rows["cast_at"]
    else:
        with connection.cursor() as cursor:
            cursor.execute(sql, parameters)
            fetched = cursor.fetchall()
        columns = np.array(fetched, dtype=np.int64).reshape(-1, 5)
        ids, participants, statements, values, stamps = columns.T
    table = engine.VoteTable.from_arrays(
        np.asarray(participants, dtype=np.int64),
        np.asarray(statements, dtype=np.int64),
        np.asarray(values, dtype=np.int64),
        np.asarray(stamps, dtype=np.int64),
    )
    last = int(ids[-1]) if len(ids) else after
    return FetchedVotes(table=table, last_id=last)


def _copy_rows(sql: str, parameters: list[Any]) -> NDArray[Any]:
    connection.ensure_connection()
    raw = connection.connection
    query = sql % tuple(int(p) for p in parameters)  # two integers, checked as such
    buffer = io.BytesIO()
    with raw.cursor() as cursor, cursor.copy(f"COPY ({query}) TO STDOUT (FORMAT binary)") as copy:
        for chunk in copy:
            buffer.write(chunk)
    data = buffer.getbuffer()
    extension = struct.unpack(">i", data[15:19])[0]
    body = data[_COPY_HEADER + extension : len(data) - 2]  # the trailer is a field count of -1
    return np.frombuffer(body, dtype=_COPY_ROW)


def engine_statements(process: Process) -> tuple[engine.Statement, ...]:
    """Every statement as the engine sees it: its number and whether moderators accepted it."""
    rows = Statement.objects.filter(process=process).values_list("number", "state", "text")
    return tuple(
        engine.Statement(id=number, text=text, moderated=MODERATED[StatementState(state)])
        for number, state, text in rows.order_by("number")
    )


# --- The engine's state, kept for the next update -----------------------------------------------


def _signature(data: bytes) -> bytes:
    key = hashlib.sha256(STATE_PURPOSE + settings.SECRET_KEY.encode("utf-8")).digest()
    return hmac.new(key, data, hashlib.sha256).digest()


def state_dump(analysis: engine.Analysis) -> bytes:
    """The engine's analysis (with its state) as signed bytes."""
    data = pickle.dumps(analysis, protocol=pickle.HIGHEST_PROTOCOL)
    return _signature(data) + data


def state_load(stored: bytes) -> engine.Analysis | None:
    """The analysis back from `state_dump`'s bytes, or None if they were not signed here (a
    different SECRET_KEY, or altered): the next analysis then starts afresh."""
    signature, data = bytes(stored[:32]), bytes(stored[32:])
    if not hmac.compare_digest(signature, _signature(data)):
        return None
    loaded = pickle.loads(data)  # noqa: S301 - signed by this deployment, checked above
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


def _weighted_groups(process: Process, analysis: engine.Analysis) -> dict[str, Any]:
    """Group sizes among everyone placed, raw and weighted to the census of the conversation's
    areas (by area and the optional answers about oneself), with intervals and who is missing."""
    members = [int(pid) for pid in analysis.participants_in]
    demographics = dict(
        Participant.objects.filter(pk__in=members).values_list("pk", "demographics")
    )
    respondents = [
        Respondent(groups={k: str(v) for k, v in (demographics.get(pk) or {}).items()})
        for pk in members
    ]
    census = process_census(process)
    weighting = census_weights(respondents, census)
    labels = [str(int(label)) for label in analysis.group_labels.tolist()]
    options = sorted(set(labels), key=int)
    chosen: list[Sequence[str] | None] = [[label] for label in labels]
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
