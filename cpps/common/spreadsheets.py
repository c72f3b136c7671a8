"""Spreadsheet safety for every CSV the platform reads or writes (OWASP "CSV injection").

A spreadsheet runs a cell as a formula when it starts with = + - @ (or | for DDE), and several
programs skip leading spaces, tabs and line breaks first: " =HYPERLINK(...)" is a formula too.
Imports refuse such cells (`formula_trigger`); exports write them as text (`neutralise`).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.http import HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _

from cpps.common.errors import InvalidInputError
from cpps.engines.characters import character_name, first_hidden_character

MAX_UPLOAD_BYTES = 5_000_000
# A phone number with its country code (“+1 312 555 0142”), which is not a formula.
PHONE_CELL = re.compile(r"\+\d[\d .()-]{6,24}")

# The ASCII triggers and their full-width forms, which some spreadsheet programs also accept.
FORMULA_TRIGGERS = frozenset("=+-@|\uff1d\uff0b\uff0d\uff20")
# Characters that start a formula cell on their own (OWASP lists tab and carriage return).
LEADING_CONTROLS = frozenset("\t\r\n")


def formula_trigger(cell: str) -> str | None:
    """The character that would make a spreadsheet run `cell` as a formula, or None.

    Leading whitespace is skipped, as spreadsheets skip it; a leading tab or line break is
    itself a trigger.
    """
    if cell[:1] in LEADING_CONTROLS:
        return cell[0]
    first = cell.lstrip()[:1]
    return first if first in FORMULA_TRIGGERS else None


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def starts_like_formula(cell: str) -> bool:
    """Say whether a spreadsheet would run the cell as a formula (plain numbers are safe)."""
    return formula_trigger(cell) is not None and not _is_number(cell)


def neutralise(cell: str) -> str:
    """Make a cell text that no spreadsheet will execute: a formula gets a leading apostrophe,
    which spreadsheets show as text and do not display."""
    return "'" + cell if starts_like_formula(cell) else cell


def _cell_text(cell: Any) -> str:
    if cell is None:
        return ""
    if isinstance(cell, dict | list):
        return json.dumps(cell, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return str(cell)


def csv_lines(rows: Iterable[Iterable[Any]]) -> Iterator[str]:
    """Rows as CSV lines, every cell neutralised: the one CSV writer of every export.

    None is an empty cell; lists and dicts are written as JSON text. Lines are made as the rows
    come, so a long export is never held whole.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow([neutralise(_cell_text(cell)) for cell in row])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


def csv_text(rows: Iterable[Iterable[Any]]) -> str:
    """Rows as CSV text for a download, every cell neutralised (see `csv_lines`)."""
    return "".join(csv_lines(rows))


def csv_response(
    rows: Iterable[Iterable[Any]], *, filename: str, streaming: bool = False
) -> HttpResponseBase:
    """A CSV download of these rows (the first is the header), written by `csv_lines`.

    ``streaming`` sends lines as they are made (for tables that grow with time, such as the
    public record); otherwise the whole file is made first, so a failure is a clean error page.
    """
    kind = "text/csv; charset=utf-8"
    response: HttpResponseBase = (
        StreamingHttpResponse(csv_lines(rows), content_type=kind)
        if streaming
        else HttpResponse(csv_text(rows), content_type=kind)
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# Strict CSV reading: every problem names its row and column, and nothing is imported.


def _text(data: bytes) -> str:
    if len(data) > MAX_UPLOAD_BYTES:
        raise InvalidInputError(_("The file is larger than 5 MB; split it into smaller files."))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        row = data[: error.start].count(b"\n") + 1
        row_start = data.rfind(b"\n", 0, error.start) + 1
        header = data.split(b"\n", 1)[0].decode("utf-8", errors="replace").split(",")
        index = data[row_start : error.start].count(b",")
        column = header[index].strip().lower() if index < len(header) else str(index + 1)
        raise InvalidInputError(
            _(
                "Row %(row)s, column “%(column)s” is not valid UTF-8 text. Save the file as "
                "“CSV UTF-8” and upload it again; nothing was imported."
            )
            % {"row": row, "column": column}
        ) from error


def read_uploaded_csv(
    data: bytes, *, required: Sequence[str], phone_columns: Sequence[str] = ()
) -> list[dict[str, str]]:
    """Rows of an uploaded CSV as dicts keyed by lower-case header. In `phone_columns` a cell
    such as “+1 312 555 0142” is a number with its country code, not a formula.

    Raises:
        InvalidInputError: wrong encoding, a malformed row, a missing column, a cell that a
            spreadsheet would run as a formula. The message names the row and column.
    """
    text = _text(data)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        table = list(reader)
    except csv.Error as error:
        raise InvalidInputError(
            _("Row %(row)s is not well-formed CSV (%(reason)s); nothing was imported.")
            % {"row": reader.line_num, "reason": str(error)}
        ) from error
    if not table or not any(cell.strip() for cell in table[0]):
        raise InvalidInputError(_("The file is empty; nothing was imported."))
    header = [cell.strip().lower() for cell in table[0]]
    missing = [name for name in required if name not in header]
    if missing:
        raise InvalidInputError(
            _("Row 1 (the header) lacks the column(s) %(columns)s; nothing was imported.")
            % {"columns": ", ".join(f"“{name}”" for name in missing)}
        )
    rows: list[dict[str, str]] = []
    for number, cells in enumerate(table[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(header):
            raise InvalidInputError(
                _(
                    "Row %(row)s has %(found)s cells but the header has %(expected)s columns; "
                    "nothing was imported."
                )
                % {"row": number, "found": len(cells), "expected": len(header)}
            )
        for column, cell in zip(header, cells, strict=True):
            _refuse_unsafe_cell(cell, row=number, column=column, phone_columns=phone_columns)
        rows.append(
            {**dict(zip(header, (c.strip() for c in cells), strict=True)), "#": str(number)}
        )
    if not rows:
        raise InvalidInputError(_("The file has a header but no rows; nothing was imported."))
    return rows


def _refuse_unsafe_cell(cell: str, *, row: int, column: str, phone_columns: Sequence[str]) -> None:
    """Refuse a cell a spreadsheet would run as a formula (even a number: a list of addresses
    has no formulas; a phone number with its "+" is allowed in a phone column), or one with a
    control, bidirectional or zero-width character (the values become names and labels)."""
    hidden = first_hidden_character(cell.strip())
    if hidden is not None:
        raise InvalidInputError(
            _(
                "Row %(row)s, column “%(column)s” holds a hidden character (%(character)s). "
                "Remove it; nothing was imported."
            )
            % {"row": row, "column": column, "character": character_name(hidden)}
        )
    trigger = formula_trigger(cell)
    if trigger is None or (column in phone_columns and PHONE_CELL.fullmatch(cell.strip())):
        return
    raise InvalidInputError(
        _(
            "Row %(row)s, column “%(column)s” starts with “%(char)s”, which a spreadsheet "
            "would run as a formula. Remove that character; nothing was imported."
        )
        % {"row": row, "column": column, "char": trigger.strip() or character_name(trigger)}
    )
