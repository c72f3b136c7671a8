"""Real Polis exports with one thing broken, and where the reader must say the problem is.

Each case copies a conversation from data/polis into a folder and corrupts one file there; the
expected row follows spreadsheet numbering (the header is row 1) and is derived from the real
file, not from the reader.
"""

from __future__ import annotations

import csv
import io
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .conftest import POLIS_DATA

SOURCE = POLIS_DATA / "brexit-consensus"
# A conversation whose comments hold curly quotes, which Windows-1252 encodes differently.
NON_ASCII_SOURCE = POLIS_DATA / "15-per-hour-seattle"


@dataclass(frozen=True)
class Expected:
    """Where the problem is (row and column 1-based; None where it has no place) and a
    fragment of what the message says about it."""

    file: str
    row: int | None
    column: int | None
    column_name: str | None
    says: str

    def location(self, directory: Path) -> str:
        """The start of the error message a reader of `directory` gives."""
        place = [str(directory / self.file)]
        if self.row is not None:
            place.append(f"row {self.row}")
        if self.column is not None:
            place.append(
                f"column {self.column}" + (f" ({self.column_name})" if self.column_name else "")
            )
        return ", ".join(place)


def _copy(target: Path, *names: str, source: Path = SOURCE) -> None:
    for name in names or ("comments.csv", "votes.csv", "participants-votes.csv", "summary.csv"):
        shutil.copy(source / name, target / name)


def _rows(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def _write(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)


def _set(path: Path, row: int, column: str, value: str) -> int:
    """Put `value` in `column` of spreadsheet row `row`; return the column's 1-based number."""
    rows = _rows(path)
    j = rows[0].index(column)
    rows[row - 1][j] = value
    _write(path, rows)
    return j + 1


def _raw(path: Path, row: int, column: str, text: str) -> int:
    """Like `_set`, but `text` goes into the file unquoted, as a broken exporter would write it."""
    marker = "MARKER-7f3a"
    number = _set(path, row, column, marker)
    path.write_text(path.read_text(encoding="utf-8").replace(marker, text), encoding="utf-8")
    return number


def short_row(d: Path) -> Expected:
    _copy(d)
    rows = _rows(d / "votes.csv")
    rows[10] = rows[10][:-1]
    _write(d / "votes.csv", rows)
    return Expected("votes.csv", 11, 5, "vote", "the row ends after 4 of 5 cells")


def extra_cell(d: Path) -> Expected:
    _copy(d)
    rows = _rows(d / "votes.csv")
    rows[10].append("1")
    _write(d / "votes.csv", rows)
    return Expected("votes.csv", 11, 6, None, "the row has 6 cells but the header only 5")


def unknown_comment_in_votes(d: Path) -> Expected:
    _copy(d)
    column = _set(d / "votes.csv", 11, "comment-id", "9999")
    return Expected("votes.csv", 11, column, "comment-id", "comment id 9999 is not in comments.csv")


def duplicate_comment_id(d: Path) -> Expected:
    _copy(d)
    first = _rows(d / "comments.csv")[1][2]
    column = _set(d / "comments.csv", 6, "comment-id", first)
    return Expected("comments.csv", 6, column, "comment-id", f"comment id {first} is also on row 2")


def vote_out_of_range(d: Path) -> Expected:
    _copy(d)
    column = _set(d / "votes.csv", 11, "vote", "2")
    return Expected("votes.csv", 11, column, "vote", "the vote '2' is not 1 (agree)")


def timestamp_not_a_number(d: Path) -> Expected:
    _copy(d)
    column = _set(d / "votes.csv", 40, "timestamp", "soon")
    return Expected("votes.csv", 40, column, "timestamp", "'soon' is not a whole number")


def missing_column(d: Path) -> Expected:
    _copy(d)
    rows = _rows(d / "votes.csv")
    rows[0][rows[0].index("vote")] = "value"
    _write(d / "votes.csv", rows)
    return Expected("votes.csv", 1, None, None, "the header lacks the column(s) vote")


def empty_file(d: Path) -> Expected:
    _copy(d)
    (d / "votes.csv").write_bytes(b"")
    return Expected("votes.csv", None, None, None, "the file is empty")


def moderation_out_of_range(d: Path) -> Expected:
    _copy(d)
    column = _set(d / "comments.csv", 4, "moderated", "5")
    return Expected("comments.csv", 4, column, "moderated", "5 is not 1 (accepted)")


def unterminated_quote_in_comment(d: Path) -> Expected:
    """The quote opens the last cell of a row in the middle of the file and is never closed: a
    lenient reader would take every later row as part of this statement's text."""
    _copy(d)
    column = _raw(d / "comments.csv", 20, "comment-body", '"Brexit means')
    return Expected("comments.csv", 20, column, "comment-body", "a quote opens this cell and is")


def unterminated_quote_in_votes(d: Path) -> Expected:
    _copy(d)
    column = _raw(d / "votes.csv", 30, "datetime", '"Mon Jul 17')
    return Expected("votes.csv", 30, column, "datetime", "never closed")


def text_after_closing_quote(d: Path) -> Expected:
    _copy(d)
    column = _raw(d / "comments.csv", 7, "comment-body", '"Leave" means leave')
    return Expected("comments.csv", 7, column, "comment-body", "is not closed where the cell ends")


def not_utf8(d: Path) -> Expected:
    """comments.csv saved as Windows-1252, as a spreadsheet on Windows does."""
    _copy(d, source=NON_ASCII_SOURCE)
    text = (NON_ASCII_SOURCE / "comments.csv").read_text(encoding="utf-8")
    (d / "comments.csv").write_bytes(text.encode("cp1252"))
    row, column = next(
        (i, j)
        for i, cells in enumerate(csv.reader(io.StringIO(text, newline="")), start=1)
        for j, cell in enumerate(cells, start=1)
        if not cell.isascii()
    )
    header = next(csv.reader(io.StringIO(text, newline="")))
    return Expected("comments.csv", row, column, header[column - 1], "is not UTF-8")


def missing_comments(d: Path) -> Expected:
    _copy(d, "votes.csv", "participants-votes.csv")
    return Expected("comments.csv", None, None, None, "the file is missing")


def missing_votes_and_matrix(d: Path) -> Expected:
    _copy(d, "comments.csv", "summary.csv")
    return Expected("votes.csv", None, None, None, "and so is participants-votes.csv")


def matrix_vote_out_of_range(d: Path) -> Expected:
    """Without votes.csv the votes come from the matrix, cell by cell."""
    _copy(d, "comments.csv", "participants-votes.csv")
    rows = _rows(d / "participants-votes.csv")
    j = rows[0].index("n-disagree") + 4
    rows[7][j] = "-2"
    _write(d / "participants-votes.csv", rows)
    return Expected(
        "participants-votes.csv", 8, j + 1, rows[0][j], f"'-2' on comment {rows[0][j]} is not"
    )


def matrix_unknown_comment(d: Path) -> Expected:
    _copy(d, "comments.csv", "participants-votes.csv")
    rows = _rows(d / "participants-votes.csv")
    rows[0][-1] = "9999"
    _write(d / "participants-votes.csv", rows)
    return Expected(
        "participants-votes.csv",
        1,
        len(rows[0]),
        "9999",
        "comment id 9999 is not in comments.csv",
    )


def matrix_short_row(d: Path) -> Expected:
    _copy(d, "comments.csv", "participants-votes.csv")
    rows = _rows(d / "participants-votes.csv")
    width = len(rows[0])
    rows[3] = rows[3][:-2]
    _write(d / "participants-votes.csv", rows)
    return Expected(
        "participants-votes.csv",
        4,
        width - 1,
        rows[0][width - 2],
        f"the row ends after {width - 2} of {width} cells",
    )


def matrix_duplicate_participant(d: Path) -> Expected:
    _copy(d)
    rows = _rows(d / "participants-votes.csv")
    rows[9][0] = rows[2][0]
    _write(d / "participants-votes.csv", rows)
    return Expected(
        "participants-votes.csv", 10, 1, "participant", f"participant {rows[2][0]} is also on row 3"
    )


def summary_row_too_long(d: Path) -> Expected:
    _copy(d)
    rows = _rows(d / "summary.csv")
    rows[2].append("extra")
    _write(d / "summary.csv", rows)
    return Expected("summary.csv", 3, 3, None, "a summary row is a key and a value")


BAD_EXPORTS: list[Callable[[Path], Expected]] = [
    short_row,
    extra_cell,
    unknown_comment_in_votes,
    duplicate_comment_id,
    vote_out_of_range,
    timestamp_not_a_number,
    missing_column,
    empty_file,
    moderation_out_of_range,
    unterminated_quote_in_comment,
    unterminated_quote_in_votes,
    text_after_closing_quote,
    not_utf8,
    missing_comments,
    missing_votes_and_matrix,
    matrix_vote_out_of_range,
    matrix_unknown_comment,
    matrix_short_row,
    matrix_duplicate_participant,
    summary_row_too_long,
]
