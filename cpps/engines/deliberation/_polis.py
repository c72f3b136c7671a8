"""Reading and writing Polis exports: comments.csv, votes.csv, participants-votes.csv, summary.csv.

Reading is strict and all-or-nothing: a file that is not UTF-8, a quote never closed, a row
with too few or too many cells, an unknown or duplicate comment id or a vote outside -1/0/1
raises `PolisExportError` naming the file, the row (the header is row 1) and the column, and
nothing half-read is returned.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from cpps.engines.deliberation._matrix import (
    CODE_AGREE,
    CODE_DISAGREE,
    CODE_PASS,
    VoteMatrix,
    build_vote_matrix,
)
from cpps.engines.deliberation.errors import PolisExportError, VoteDataError
from cpps.engines.deliberation.types import (
    AGREE,
    DISAGREE,
    PASS,
    Conversation,
    ParticipantId,
    Statement,
    VoteTable,
)

COMMENTS = "comments.csv"
VOTES = "votes.csv"
MATRIX = "participants-votes.csv"
SUMMARY = "summary.csv"
POLIS_FILES = (COMMENTS, VOTES, MATRIX, SUMMARY)

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
# Polis's own columns of participants-votes.csv (newer exports add `xid`); every other column
# is a comment id holding each participant's vote on it.
MATRIX_OWN_COLUMNS = frozenset({*PARTICIPANT_COLUMNS, "xid"})
# summary.csv is key,value rows without a header, in this order.
SUMMARY_KEYS = (
    "topic",
    "url",
    "views",
    "voters",
    "voters-in-conv",
    "commenters",
    "comments",
    "groups",
    "conversation-description",
)

VOTE_MEANING = "1 (agree), -1 (disagree) or 0 (pass)"
_VOTE_CELLS = {"1": AGREE, "-1": DISAGREE, "0": PASS}
_WHOLE_NUMBER = re.compile(r"-?[0-9]+")
_INTEGER = re.compile(r"(-?[0-9]+)(?:\.0*)?")
_CELL_END = re.compile(r"[,\r\n]")


@dataclass(frozen=True)
class PolisExport:
    """A conversation read from a Polis export, with Polis's own group of each participant
    (from participants-votes.csv) and the key/value rows of summary.csv (empty without it)."""

    conversation: Conversation
    polis_groups: Mapping[ParticipantId, int]
    summary: Mapping[str, str] = field(default_factory=dict)


def read_polis_export(directory: str | Path) -> PolisExport:
    """Read the Polis export in `directory` (see `read_polis_files`); errors name the file's path.

    Raises:
        PolisExportError: `directory` is not one, or its files are missing or malformed.
    """
    root = Path(directory)
    if not root.is_dir():
        raise PolisExportError(f"{root} is not a directory holding a Polis export")
    files = {name: (root / name).read_bytes() for name in POLIS_FILES if (root / name).is_file()}
    try:
        return read_polis_files(files)
    except PolisExportError as error:
        if error.file is None:
            raise
        raise error.in_file(str(root / error.file)) from None


def read_polis_files(files: Mapping[str, bytes]) -> PolisExport:
    """Parse a Polis export from the contents of its files, keyed by file name.

    comments.csv is required, with votes.csv or participants-votes.csv. The votes come from
    votes.csv when it is given (it keeps timestamps and re-votes), else from the
    participants-votes matrix (one vote per filled cell, in row order). Groups come from the
    matrix's group-id column; summary.csv is optional; other files are ignored.

    Raises:
        PolisExportError: a file is missing, not UTF-8 or not well-formed CSV, a column is
            missing, a row is short or long, a comment id is duplicated or unknown, or a value
            is out of range. The error locates the first problem by file, row and column.
    """
    if COMMENTS not in files:
        raise PolisExportError(
            "the file is missing; a Polis export has comments.csv and votes.csv "
            "or participants-votes.csv",
            file=COMMENTS,
        )
    statements = _statements(
        _Table.parse(COMMENTS, files[COMMENTS], ("comment-id", "comment-body"))
    )
    known = {s.id for s in statements}
    votes: VoteTable | None = None
    groups: dict[ParticipantId, int] = {}
    if MATRIX in files:
        votes, groups = _matrix(_Table.parse(MATRIX, files[MATRIX], ("participant",)), known)
    if VOTES in files:
        votes = _vote_log(
            _Table.parse(VOTES, files[VOTES], ("comment-id", "voter-id", "vote")), known
        )
    if votes is None:
        raise PolisExportError(
            "the file is missing, and so is participants-votes.csv; give either", file=VOTES
        )
    summary = (
        _summary(_records(SUMMARY, files[SUMMARY], has_header=False)) if SUMMARY in files else {}
    )
    return PolisExport(Conversation(statements, votes), groups, summary)


@dataclass(frozen=True)
class _Table:
    """A CSV file with a header: its data rows (numbered as a spreadsheet numbers them), each
    with as many cells as the header has columns."""

    file: str
    header_row: int
    header: tuple[str, ...]
    rows: list[tuple[int, list[str]]]

    @classmethod
    def parse(cls, file: str, data: bytes, required: Sequence[str]) -> _Table:
        records = _records(file, data, has_header=True)
        if not records:
            raise PolisExportError(
                f"the file is empty; its first row should name the columns {', '.join(required)}",
                file=file,
            )
        (header_row, header), rows = records[0], records[1:]
        table = cls(file, header_row, tuple(header), rows)
        seen: dict[str, int] = {}
        for j, name in enumerate(header):
            if name in seen:
                raise table.error(header_row, j, f"the column also appears as column {seen[name]}")
            seen[name] = j + 1
        missing = [name for name in required if name not in seen]
        if missing:
            raise PolisExportError(
                f"the header lacks the column(s) {', '.join(missing)}", file=file, row=header_row
            )
        width = len(header)
        for row, cells in rows:
            if len(cells) < width:
                raise table.error(
                    row, len(cells), f"the row ends after {len(cells)} of {width} cells"
                )
            if len(cells) > width:
                raise table.error(
                    row, width, f"the row has {len(cells)} cells but the header only {width}"
                )
        return table

    def error(self, row: int, column: int, problem: str) -> PolisExportError:
        """An error at `row` (spreadsheet numbering) and 0-based `column`."""
        return PolisExportError(
            problem,
            file=self.file,
            row=row,
            column=column + 1,
            column_name=_name(self.header, column + 1),
        )

    def column(self, name: str) -> int | None:
        return self.header.index(name) if name in self.header else None

    def integer(self, row: int, cells: list[str], column: int, default: int | None = None) -> int:
        text = cells[column].strip()
        if text == "" and default is not None:
            return default
        value = _integer(text)
        if value is None:
            raise self.error(row, column, f"{cells[column]!r} is not a whole number")
        return value

    def participant(self, row: int, cells: list[str], column: int) -> ParticipantId:
        text = cells[column].strip()
        if text == "":
            raise self.error(row, column, "the participant id is empty")
        return int(text) if _WHOLE_NUMBER.fullmatch(text) else text

    def statement(self, row: int, cells: list[str], column: int, known: set[int]) -> int:
        statement = self.integer(row, cells, column)
        if statement not in known:
            raise self.error(row, column, f"comment id {statement} is not in {COMMENTS}")
        return statement

    def vote(self, row: int, cells: list[str], column: int, *, on: int | None = None) -> int:
        """The vote in a cell; `on` is the comment id of a matrix column (whose cells may also
        be empty)."""
        text = cells[column].strip()
        value = _VOTE_CELLS.get(text)
        if value is None:
            value = _integer(text)
        if value not in (AGREE, DISAGREE, PASS):
            problem = (
                f"the vote {cells[column]!r} is not {VOTE_MEANING}"
                if on is None
                else f"the vote {cells[column]!r} on comment {on} is not {VOTE_MEANING}, or empty"
            )
            raise self.error(row, column, problem)
        return value


def _statements(table: _Table) -> tuple[Statement, ...]:
    id_column, body_column = table.header.index("comment-id"), table.header.index("comment-body")
    author_column, moderated_column = table.column("author-id"), table.column("moderated")
    time_column, meta_column = table.column("timestamp"), table.column("is-meta")
    rows_of: dict[int, int] = {}
    statements = []
    for row, cells in table.rows:
        statement_id = table.integer(row, cells, id_column)
        if statement_id in rows_of:
            raise table.error(
                row, id_column, f"comment id {statement_id} is also on row {rows_of[statement_id]}"
            )
        rows_of[statement_id] = row
        author = None
        if author_column is not None and cells[author_column].strip():
            author = table.participant(row, cells, author_column)
        statements.append(
            Statement(
                id=statement_id,
                text=cells[body_column],
                author=author,
                moderated=0 if moderated_column is None else _moderation(table, row, cells),
                timestamp=0 if time_column is None else table.integer(row, cells, time_column, 0),
                is_meta=meta_column is not None
                and cells[meta_column].strip().lower() in {"1", "true"},
            )
        )
    return tuple(sorted(statements, key=lambda s: s.id))


def _moderation(table: _Table, row: int, cells: list[str]) -> int:
    """The `moderated` cell: Polis's 1 (accepted), 0 (not yet moderated) or -1 (out)."""
    column = table.header.index("moderated")
    moderated = table.integer(row, cells, column, 0)
    if moderated not in (-1, 0, 1):
        raise table.error(
            row,
            column,
            f"{moderated} is not 1 (accepted), 0 (not yet moderated) or -1 (moderated out)",
        )
    return moderated


def _vote_log(table: _Table, known: set[int]) -> VoteTable:
    voter, statement, vote = (table.header.index(c) for c in ("voter-id", "comment-id", "vote"))
    time_column = table.column("timestamp")
    participants: list[ParticipantId] = []
    statements: list[int] = []
    values: list[int] = []
    timestamps: list[int] = []
    for row, cells in table.rows:
        participants.append(table.participant(row, cells, voter))
        statements.append(table.statement(row, cells, statement, known))
        values.append(table.vote(row, cells, vote))
        if time_column is not None:
            timestamps.append(table.integer(row, cells, time_column))
    return VoteTable.from_arrays(
        participants, statements, values, None if time_column is None else timestamps
    )


def _matrix(table: _Table, known: set[int]) -> tuple[VoteTable, dict[ParticipantId, int]]:
    """The votes in the participants-votes matrix and Polis's group of each participant."""
    columns = _statement_columns(table, known)
    participant_column = table.header.index("participant")
    group_column = table.column("group-id")
    rows_of: dict[ParticipantId, int] = {}
    groups: dict[ParticipantId, int] = {}
    participants: list[ParticipantId] = []
    statements: list[int] = []
    values: list[int] = []
    for row, cells in table.rows:
        participant = table.participant(row, cells, participant_column)
        if participant in rows_of:
            raise table.error(
                row,
                participant_column,
                f"participant {participant} is also on row {rows_of[participant]}",
            )
        rows_of[participant] = row
        if group_column is not None and cells[group_column].strip():
            groups[participant] = table.integer(row, cells, group_column)
            if groups[participant] < 0:
                raise table.error(row, group_column, "a group id is 0 or more")
        for j, statement in columns:
            value = _VOTE_CELLS.get(cells[j])
            if value is None:  # not the usual "1", "-1", "0": empty, or parsed (or refused)
                if not cells[j].strip():
                    continue
                value = table.vote(row, cells, j, on=statement)
            participants.append(participant)
            statements.append(statement)
            values.append(value)
    return VoteTable.from_arrays(participants, statements, values), groups


def _statement_columns(table: _Table, known: set[int]) -> list[tuple[int, int]]:
    """(column index, comment id) of each statement column of the participants-votes matrix."""
    columns: list[tuple[int, int]] = []
    column_of: dict[int, int] = {}
    for j, name in enumerate(table.header):
        if name in MATRIX_OWN_COLUMNS:
            continue
        statement = _integer(name.strip())
        if statement is None:
            raise table.error(
                table.header_row, j, "the column is neither a Polis column nor a comment id"
            )
        if statement not in known:
            raise table.error(table.header_row, j, f"comment id {statement} is not in {COMMENTS}")
        if statement in column_of:
            raise table.error(
                table.header_row, j, f"comment id {statement} is also column {column_of[statement]}"
            )
        column_of[statement] = j + 1
        columns.append((j, statement))
    return columns


def _summary(records: list[tuple[int, list[str]]]) -> dict[str, str]:
    summary: dict[str, str] = {}
    for row, cells in records:
        if len(cells) != 2:
            raise PolisExportError(
                f"a summary row is a key and a value, this one has {len(cells)} cells",
                file=SUMMARY,
                row=row,
                column=3 if len(cells) > 2 else len(cells) + 1,
            )
        key, value = cells
        if key in summary:
            raise PolisExportError(
                f"the key {key!r} appears twice", file=SUMMARY, row=row, column=1
            )
        summary[key] = value
    return summary


def _integer(text: str) -> int | None:
    """`text` as a whole number ("12", also "12.0" as spreadsheets write it), else None.

    Exponent forms ("1.4e12") are refused: a spreadsheet that wrote one has already rounded the
    number away.
    """
    match = _INTEGER.fullmatch(text)
    return None if match is None else int(match.group(1))


def _records(file: str, data: bytes, *, has_header: bool) -> list[tuple[int, list[str]]]:
    """The non-blank records of a CSV file, each with its row number (blank rows count).

    An error in a file `has_header` names the column by its header, when the header was read.
    """
    if data.startswith(codecs.BOM_UTF8):  # spreadsheets save "CSV UTF-8" with a BOM
        data = data[len(codecs.BOM_UTF8) :]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        prefix = data[: error.start].decode("utf-8")
        row, column = _place_after(prefix)
        header = _header_before(prefix) if has_header and row > 1 else ()
        raise PolisExportError(
            f"byte 0x{data[error.start]:02x} is not UTF-8; save the file as UTF-8 "
            '("CSV UTF-8" in a spreadsheet)',
            file=file,
            row=row,
            column=column,
            column_name=_name(header, column),
        ) from None
    lines = io.StringIO(text, newline="").readlines()
    # strict: a quote never closed raises instead of swallowing the rest of the file in one cell.
    reader = csv.reader(lines, strict=True)
    records: list[tuple[int, list[str]]] = []
    row, lines_read = 0, 0
    try:
        for cells in reader:
            row, lines_read = row + 1, reader.line_num
            if cells:
                records.append((row, cells))
    except csv.Error as error:
        column, problem = _csv_fault("".join(lines[lines_read:]), str(error))
        header = records[0][1] if has_header and records else ()
        raise PolisExportError(
            problem, file=file, row=row + 1, column=column, column_name=_name(header, column)
        ) from None
    return records


def _name(header: Sequence[str], column: int) -> str | None:
    """The header of 1-based `column`, if the header has one."""
    return header[column - 1] if column <= len(header) else None


def _header_before(text: str) -> list[str]:
    """The first non-blank row of CSV text `text` (the header, if it is complete)."""
    return next((cells for cells in csv.reader(io.StringIO(text, newline="")) if cells), [])


def _place_after(text: str) -> tuple[int, int]:
    """The row and column (1-based) in which the character after CSV text `text` falls."""
    # A marker character stands in for what follows, so a new row or cell is counted as one.
    records = list(csv.reader(io.StringIO(text + "\ufffd", newline="")))
    return len(records), len(records[-1])


def _csv_fault(record: str, reason: str) -> tuple[int, str]:
    """The 1-based column of the cell that stops a strict CSV parse of the record `record`
    starts with, and what is wrong there (csv.Error says what, never where)."""
    limit = csv.field_size_limit()
    column, start = 1, 0
    while True:
        if record.startswith('"', start):
            end = start + 1
            while (end := record.find('"', end)) != -1 and record.startswith('""', end):
                end += 2
            if end == -1:
                return column, "a quote opens this cell and is never closed"
            end += 1
            if end < len(record) and record[end] not in ",\r\n":
                return column, (
                    "a quote opens this cell and is not closed where the cell ends; a quote "
                    'inside a quoted cell is written as two ("")'
                )
        else:
            cell_end = _CELL_END.search(record, start)
            end = len(record) if cell_end is None else cell_end.start()
        if end - start > limit:
            return column, f"the cell is longer than {limit} characters"
        if end >= len(record) or record[end] != ",":
            return column, reason
        column, start = column + 1, end + 1


def polis_export_rows(
    conversation: Conversation,
    groups: Mapping[ParticipantId, int] | None = None,
    summary: Mapping[str, str] | None = None,
) -> dict[str, Iterator[Sequence[object]]]:
    """The rows of each file of a Polis export of `conversation`, keyed by file name.

    Rows are produced lazily (a large matrix is never held as text). participants-votes.csv
    carries `groups` in its group-id column; summary.csv counts voters, commenters, comments and
    groups from the data and takes the other keys (topic, url, views,
    conversation-description, and any extra ones) from `summary`.

    Raises:
        VoteDataError: a vote is on a statement the conversation does not list (the export
            could not be read back).
    """
    statement_ids = np.asarray([s.id for s in conversation.statements], dtype=np.int64)
    unknown = np.setdiff1d(conversation.votes.statements, statement_ids)
    if unknown.size:
        raise VoteDataError(
            f"votes on statement(s) {', '.join(map(str, unknown[:5].tolist()))} "
            "that the conversation does not list"
        )
    matrix = build_vote_matrix(conversation.votes, statement_ids)
    given = {} if groups is None else groups
    return {
        COMMENTS: _comment_rows(conversation, matrix),
        VOTES: _vote_rows(conversation.votes),
        MATRIX: _matrix_rows(conversation, matrix, given),
        SUMMARY: _summary_rows(conversation, matrix, given, summary or {}),
    }


def write_polis_export(
    directory: str | Path,
    conversation: Conversation,
    groups: Mapping[ParticipantId, int] | None = None,
    summary: Mapping[str, str] | None = None,
) -> None:
    """Write `conversation` as a Polis export in `directory` (see `polis_export_rows`)."""
    files = polis_export_rows(conversation, groups, summary)
    root = Path(directory)
    root.mkdir(parents=True, exist_ok=True)
    for name, rows in files.items():
        with (root / name).open("w", newline="", encoding="utf-8") as handle:
            csv.writer(handle).writerows(rows)


def _stamp(milliseconds: int) -> str:
    return datetime.fromtimestamp(milliseconds / 1000, tz=UTC).strftime("%a %b %d %H:%M:%S UTC %Y")


def _comment_rows(conversation: Conversation, matrix: VoteMatrix) -> Iterator[Sequence[object]]:
    column = {int(s): j for j, s in enumerate(matrix.statements)}
    codes = matrix.codes
    agrees = np.bincount(codes.indices[codes.data == CODE_AGREE], minlength=matrix.shape[1])
    disagrees = np.bincount(codes.indices[codes.data == CODE_DISAGREE], minlength=matrix.shape[1])
    yield COMMENT_COLUMNS
    for s in conversation.statements:
        j = column[s.id]
        author = "" if s.author is None else s.author
        yield (
            s.timestamp,
            _stamp(s.timestamp),
            s.id,
            author,
            agrees[j],
            disagrees[j],
            s.moderated,
            s.text,
        )


def _vote_rows(votes: VoteTable) -> Iterator[Sequence[object]]:
    yield VOTE_COLUMNS
    for participant, statement, value, timestamp in zip(
        votes.participants.tolist(),
        votes.statements.tolist(),
        votes.values.tolist(),
        votes.timestamps.tolist(),
        strict=True,
    ):
        yield (timestamp, _stamp(timestamp), statement, participant, value)


def _authored(conversation: Conversation) -> dict[ParticipantId, int]:
    authored: dict[ParticipantId, int] = {}
    for s in conversation.statements:
        if s.author is not None:
            authored[s.author] = authored.get(s.author, 0) + 1
    return authored


def _matrix_rows(
    conversation: Conversation, matrix: VoteMatrix, groups: Mapping[ParticipantId, int]
) -> Iterator[Sequence[object]]:
    authored = _authored(conversation)
    codes = matrix.codes
    order = np.argsort(matrix.statements, kind="stable")
    position = np.empty(len(order), dtype=np.int64)
    position[order] = np.arange(len(order))
    yield (*PARTICIPANT_COLUMNS, *(int(matrix.statements[j]) for j in order))
    # Row by row from the sparse matrix, so a large conversation never needs a dense copy.
    for i, participant in enumerate(matrix.participants.tolist()):
        start, stop = codes.indptr[i], codes.indptr[i + 1]
        row_codes = codes.data[start:stop]
        cells: list[int | str] = [""] * len(order)
        for j, code in zip(codes.indices[start:stop].tolist(), row_codes.tolist(), strict=True):
            cells[position[j]] = code - CODE_PASS
        yield (
            participant,
            groups.get(participant, ""),
            authored.get(participant, 0),
            len(row_codes),
            int(np.count_nonzero(row_codes == CODE_AGREE)),
            int(np.count_nonzero(row_codes == CODE_DISAGREE)),
            *cells,
        )


def _summary_rows(
    conversation: Conversation,
    matrix: VoteMatrix,
    groups: Mapping[ParticipantId, int],
    summary: Mapping[str, str],
) -> Iterator[Sequence[object]]:
    voters = len(matrix.participants)
    voter_ids = set(matrix.participants.tolist())
    counted: dict[str, object] = {
        "voters": voters,
        "voters-in-conv": voters,
        "commenters": len(_authored(conversation)),
        # As Polis counts them: the statements in the vote matrix, i.e. those with a vote.
        "comments": int(np.count_nonzero(matrix.votes_per_statement())),
        "groups": len({g for p, g in groups.items() if p in voter_ids}),
    }
    for key in (*SUMMARY_KEYS, *(k for k in summary if k not in SUMMARY_KEYS)):
        yield (key, counted[key] if key in counted else summary.get(key, ""))
