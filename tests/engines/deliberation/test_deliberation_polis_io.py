"""Polis export import and export."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import numpy as np
import pytest

from cpps.engines.deliberation import (
    PolisExport,
    PolisExportError,
    VoteDataError,
    read_polis_export,
    write_polis_export,
)

from .conftest import POLIS_DATA


def _matrix(path: Path) -> dict[tuple[str, str], str]:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        first = header.index("n-disagree") + 1
        return {
            (row[0], statement): cell
            for row in reader
            for statement, cell in zip(header[first:], row[first:], strict=True)
            if cell != ""
        }


def test_exported_matrix_equals_polis_own_matrix(
    polis_export: tuple[str, PolisExport], tmp_path: Path
) -> None:
    """The latest vote per participant and statement, as Polis wrote it in participants-votes."""
    name, export = polis_export
    write_polis_export(tmp_path, export.conversation)
    assert _matrix(tmp_path / "participants-votes.csv") == _matrix(
        POLIS_DATA / name / "participants-votes.csv"
    )


def test_export_round_trips(polis_export: tuple[str, PolisExport], tmp_path: Path) -> None:
    _, export = polis_export
    write_polis_export(tmp_path, export.conversation, export.polis_groups)
    again = read_polis_export(tmp_path)
    assert again.conversation.statements == export.conversation.statements
    original, copied = export.conversation.votes, again.conversation.votes
    assert original.participants.tolist() == copied.participants.tolist()
    assert np.array_equal(original.statements, copied.statements)
    assert np.array_equal(original.values, copied.values)
    assert np.array_equal(original.timestamps, copied.timestamps)
    polis_grouped = {
        p: g for p, g in export.polis_groups.items() if p in set(original.participants.tolist())
    }
    assert dict(again.polis_groups) == polis_grouped


def test_missing_votes_file_is_named(tmp_path: Path) -> None:
    shutil.copy(POLIS_DATA / "brexit-consensus" / "comments.csv", tmp_path / "comments.csv")
    with pytest.raises(PolisExportError, match=r"votes\.csv is missing"):
        read_polis_export(tmp_path)


def test_bad_vote_value_is_reported(tmp_path: Path) -> None:
    shutil.copy(POLIS_DATA / "brexit-consensus" / "comments.csv", tmp_path / "comments.csv")
    (tmp_path / "votes.csv").write_text(
        "timestamp,datetime,comment-id,voter-id,vote\n1,x,0,7,2\n", encoding="utf-8"
    )
    with pytest.raises(VoteDataError, match="vote value 2"):
        read_polis_export(tmp_path)
