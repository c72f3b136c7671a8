"""Errors the deliberation engine raises; each message tells a facilitator what to fix."""

from __future__ import annotations

from cpps.engines.errors import EngineError


class DeliberationError(EngineError):
    """A conversation the engine cannot analyse as given."""


class VoteDataError(DeliberationError):
    """Votes or statements that are malformed (unknown vote value, mismatched columns, ...)."""


class PolisExportError(DeliberationError):
    """A Polis export that is missing a file or holds something the reader refuses.

    Where the problem has a place, `file`, `row` (1-based, the header is row 1, as a spreadsheet
    numbers it), `column` (1-based) and `column_name` (that column's header) locate it, and the
    message starts with them: ``votes.csv, row 12, column 5 (vote): ...``. `problem` is the
    message without the location.
    """

    def __init__(
        self,
        problem: str,
        *,
        file: str | None = None,
        row: int | None = None,
        column: int | None = None,
        column_name: str | None = None,
    ) -> None:
        self.problem = problem
        self.file = file
        self.row = row
        self.column = column
        self.column_name = column_name
        place = [file] if file else []
        if row is not None:
            place.append(f"row {row}")
        if column is not None:
            place.append(f"column {column}" + (f" ({column_name})" if column_name else ""))
        super().__init__(f"{', '.join(place)}: {problem}" if place else problem)

    def in_file(self, file: str) -> PolisExportError:
        """The same error located in `file` (a path, where the problem's file name was given)."""
        return PolisExportError(
            self.problem, file=file, row=self.row, column=self.column, column_name=self.column_name
        )


class NotEnoughVotesError(DeliberationError):
    """Too few participants voted enough for opinion groups to be formed."""
