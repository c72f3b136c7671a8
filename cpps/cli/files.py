"""Files the engine commands read and write, checked once for every command.

A file that is missing, unreadable, not UTF-8 or not well-formed CSV, or an output that cannot
be written, ends the command with one line naming the file (and the line in it) and exit code 2,
never a traceback.
"""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

USAGE_ERROR = 2


class InputFileError(Exception):
    """A file cannot be used as given; the message names the file and what to do."""


def readable_csv(path: Path) -> Path:
    """Return `path` once it is known to be a readable, UTF-8, well-formed CSV file.

    Raises:
        InputFileError: naming the file, and the line of a bad byte or malformed row.
    """
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InputFileError(f"cannot read {path}: {error.strerror}.") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise InputFileError(
            f"{path} is not UTF-8 text: byte 0x{data[error.start]:02x} on line {line} is not "
            'UTF-8. Save the file as UTF-8 ("CSV UTF-8" in a spreadsheet) and try again.'
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        for _row in reader:
            pass
    except csv.Error as error:
        raise InputFileError(
            f"{path}, line {reader.line_num}: not well-formed CSV ({error})."
        ) from None
    return path


def read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    """A CSV file's header and rows, every failure an ``InputFileError`` naming the file."""
    text = readable_csv(path).read_text(encoding="utf-8-sig")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    rows = list(reader)
    header = list(reader.fieldnames or [])
    if not header:
        raise InputFileError(f"{path} is empty.")
    return header, rows


def readable_csv_files(directory: Path, names: Iterable[str]) -> Path:
    """Check the named CSV files that are in `directory` (the engine names any missing one)."""
    for name in names:
        if (directory / name).exists():
            readable_csv(directory / name)
    return directory


@contextmanager
def writing(path: Path) -> Iterator[None]:
    """Turn a failure to create or write `path` (or a file in it) into an InputFileError."""
    try:
        yield
    except OSError as error:
        target = error.filename or path
        raise InputFileError(f"cannot write {target}: {error.strerror}.") from None


def run_reporting_errors(
    prog: str, command: Callable[[], int], *, refusals: tuple[type[Exception], ...]
) -> int:
    """Run `command`; an InputFileError or one of the engine's `refusals` is printed on one line
    after `prog` and ends the command with exit code 2."""
    caught: tuple[type[Exception], ...] = (InputFileError, *refusals)
    try:
        return command()
    except caught as error:
        print(f"{prog}: {error}", file=sys.stderr)
        return USAGE_ERROR
