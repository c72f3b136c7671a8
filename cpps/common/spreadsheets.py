"""Spreadsheet safety for every CSV the platform reads or writes (OWASP "CSV injection").

A spreadsheet runs a cell as a formula when it starts with = + - @ (or | for DDE), and several
programs skip leading spaces, tabs and line breaks first: " =HYPERLINK(...)" is a formula too.
Imports refuse such cells (`formula_trigger`); exports write them as text (`neutralise`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

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


def csv_text(rows: Iterable[Iterable[Any]]) -> str:
    """Rows as CSV text for a download, every cell neutralised (None is an empty cell)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow([neutralise("" if cell is None else str(cell)) for cell in row])
    return buffer.getvalue()
