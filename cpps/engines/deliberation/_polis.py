"""Reading and writing Polis export folders (comments.csv, votes.csv, participants-votes.csv)."""

from __future__ import annotations

import csv
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from cpps.engines.deliberation._matrix import (
    CODE_AGREE,
    CODE_DISAGREE,
    CODE_PASS,
    build_vote_matrix,
)
from cpps.engines.deliberation.errors import PolisExportError
from cpps.engines.deliberation.types import Conversation, ParticipantId, Statement, VoteTable

COMMENT_COLUMNS = (
    "timestamp",
    "datetime",
    "comment-id",
    "author-id",
    "agrees",
    "disagrees",
    "moderated",
    "comment-body",
)
VOTE_COLUMNS = ("timestamp", "datetime", "comment-id", "voter-id", "vote")
PARTICIPANT_COLUMNS = ("participant", "group-id", "n-comments", "n-votes", "n-agree", "n-disagree")


@dataclass(frozen=True)
class PolisExport:
    """A conversation read from a Polis export, with Polis's own group of each participant."""

    conversation: Conversation
    polis_groups: Mapping[ParticipantId, int]


def _participant(text: str) -> ParticipantId:
    return int(text) if text.lstrip("-").isdigit() else text


def _rows(path: Path, required: tuple[str, ...]) -> list[dict[str, str]]:
    if not path.is_file():
        raise PolisExportError(f"{path.name} is missing from {path.parent}; export it from Polis")
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in required if c not in (reader.fieldnames or ())]
        if missing:
            raise PolisExportError(f"{path} lacks the column(s) {', '.join(missing)}")
        return list(reader)


def _int(value: str, path: Path, column: str, default: int | None = None) -> int:
    if value == "" and default is not None:
        return default
    try:
        return int(float(value))
    except ValueError as error:
        raise PolisExportError(f"{path.name}: {column} value {value!r} is not a number") from error


def read_polis_export(directory: str | Path) -> PolisExport:
    """Read a Polis export directory.

    Raises:
        PolisExportError: a file or column is missing, or a value is not a number.
    """
    root = Path(directory)
    if not root.is_dir():
        raise PolisExportError(f"{root} is not a directory holding a Polis export")
    comments_path = root / "comments.csv"
    statements = tuple(
        sorted(
            (
                Statement(
                    id=_int(row["comment-id"], comments_path, "comment-id"),
                    text=row["comment-body"],
                    author=_participant(row["author-id"]) if row["author-id"] else None,
                    moderated=_int(row["moderated"], comments_path, "moderated", 0),
                    timestamp=_int(row["timestamp"], comments_path, "timestamp", 0),
                    is_meta=row.get("is-meta", "").strip().lower() in {"1", "true"},
                )
                for row in _rows(
                    comments_path, ("comment-id", "author-id", "moderated", "comment-body")
                )
            ),
            key=lambda s: s.id,
        )
    )
    votes_path = root / "votes.csv"
    vote_rows = _rows(votes_path, ("comment-id", "voter-id", "vote"))
    votes = VoteTable.from_arrays(
        [_participant(row["voter-id"]) for row in vote_rows],
        [_int(row["comment-id"], votes_path, "comment-id") for row in vote_rows],
        [_int(row["vote"], votes_path, "vote") for row in vote_rows],
        [
            _int(row.get("timestamp", ""), votes_path, "timestamp", i)
            for i, row in enumerate(vote_rows)
        ],
    )
    groups: dict[ParticipantId, int] = {}
    matrix_path = root / "participants-votes.csv"
    if matrix_path.is_file():
        for row in _rows(matrix_path, ("participant", "group-id")):
            if row["group-id"] != "":
                groups[_participant(row["participant"])] = _int(
                    row["group-id"], matrix_path, "group-id"
                )
    return PolisExport(Conversation(statements, votes), groups)


def _stamp(milliseconds: int) -> str:
    return datetime.fromtimestamp(milliseconds / 1000, tz=UTC).strftime("%a %b %d %H:%M:%S UTC %Y")


def write_polis_export(
    directory: str | Path,
    conversation: Conversation,
    groups: Mapping[ParticipantId, int] | None = None,
) -> None:
    """Write `conversation` as a Polis export (group-id column from `groups`, if given)."""
    root = Path(directory)
    root.mkdir(parents=True, exist_ok=True)
    statement_ids = np.asarray([s.id for s in conversation.statements], dtype=np.int64)
    matrix = build_vote_matrix(conversation.votes, statement_ids)
    column = {int(s): j for j, s in enumerate(matrix.statements)}
    codes = matrix.codes
    agrees = np.bincount(codes.indices[codes.data == CODE_AGREE], minlength=matrix.shape[1])
    disagrees = np.bincount(codes.indices[codes.data == CODE_DISAGREE], minlength=matrix.shape[1])
    with (root / "comments.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COMMENT_COLUMNS)
        for s in conversation.statements:
            j = column[s.id]
            author = "" if s.author is None else s.author
            writer.writerow(
                (
                    s.timestamp,
                    _stamp(s.timestamp),
                    s.id,
                    author,
                    agrees[j],
                    disagrees[j],
                    s.moderated,
                    s.text,
                )
            )
    votes = conversation.votes
    with (root / "votes.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(VOTE_COLUMNS)
        for participant, statement, value, timestamp in zip(
            votes.participants.tolist(),
            votes.statements.tolist(),
            votes.values.tolist(),
            votes.timestamps.tolist(),
            strict=True,
        ):
            writer.writerow((timestamp, _stamp(timestamp), statement, participant, value))
    authored: dict[ParticipantId, int] = {}
    for s in conversation.statements:
        if s.author is not None:
            authored[s.author] = authored.get(s.author, 0) + 1
    order = np.argsort(matrix.statements, kind="stable")
    position = np.empty(len(order), dtype=np.int64)
    position[order] = np.arange(len(order))
    with (root / "participants-votes.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow((*PARTICIPANT_COLUMNS, *(int(matrix.statements[j]) for j in order)))
        # Row by row from the sparse matrix, so a large conversation never needs a dense copy.
        for i, participant in enumerate(matrix.participants.tolist()):
            start, stop = codes.indptr[i], codes.indptr[i + 1]
            row_codes = codes.data[start:stop]
            cells: list[int | str] = [""] * len(order)
            for j, code in zip(codes.indices[start:stop].tolist(), row_codes.tolist(), strict=True):
                cells[position[j]] = code - CODE_PASS
            group = "" if groups is None or participant not in groups else groups[participant]
            writer.writerow(
                (
                    participant,
                    group,
                    authored.get(participant, 0),
                    len(row_codes),
                    int(np.count_nonzero(row_codes == CODE_AGREE)),
                    int(np.count_nonzero(row_codes == CODE_DISAGREE)),
                    *cells,
                )
            )
