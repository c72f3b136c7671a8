"""Polis export import and export: every shared conversation, and every kind of bad input."""

from __future__ import annotations

import codecs
import csv
import pickle
import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

from cpps.engines.deliberation import (
    POLIS_FILES,
    Analysis,
    AnalysisOptions,
    Conversation,
    PolisExport,
    PolisExportError,
    Statement,
    VoteDataError,
    VoteTable,
    analyze_conversation,
    polis_export_rows,
    read_polis_export,
    read_polis_files,
    write_polis_export,
)

from .bad_exports import BAD_EXPORTS, Expected
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


def _summary(path: Path) -> dict[str, str]:
    with path.open(newline="", encoding="utf-8") as handle:
        return dict(csv.reader(handle))


def _latest(votes: VoteTable) -> dict[tuple[object, int], int]:
    """Each participant's latest vote on each statement."""
    latest: dict[tuple[object, int], int] = {}
    for i in np.lexsort((np.arange(len(votes)), votes.timestamps)).tolist():
        latest[(votes.participants[i].item(), int(votes.statements[i]))] = int(votes.values[i])
    return latest


def assert_same_analysis(ours: Analysis, again: Analysis) -> None:
    """Same participants in the same groups, the same representative statements, consensus and
    bridging statements."""
    assert again.participants_in == ours.participants_in
    assert adjusted_rand_score(ours.group_labels, again.group_labels) == 1.0
    assert np.array_equal(again.group_labels, ours.group_labels)
    assert [(g.id, g.members, g.representative) for g in again.groups] == [
        (g.id, g.members, g.representative) for g in ours.groups
    ]
    assert again.consensus_agree == ours.consensus_agree
    assert again.consensus_disagree == ours.consensus_disagree
    assert again.group_informed_consensus == ours.group_informed_consensus


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
    write_polis_export(tmp_path, export.conversation, export.polis_groups, export.summary)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(POLIS_FILES)
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
    assert dict(again.summary) == dict(export.summary)


def test_written_summary_counts_as_polis_does(
    polis_export: tuple[str, PolisExport], tmp_path: Path
) -> None:
    """voters, commenters, comments (statements with a vote) and groups, as in Polis's own file."""
    name, export = polis_export
    write_polis_export(tmp_path, export.conversation, export.polis_groups, export.summary)
    assert _summary(tmp_path / "summary.csv") == _summary(POLIS_DATA / name / "summary.csv")
    write_polis_export(tmp_path, export.conversation)
    bare = _summary(tmp_path / "summary.csv")
    assert [bare[key] for key in ("topic", "url", "views", "conversation-description")] == [""] * 4
    assert bare["groups"] == "0"
    assert bare["voters"] == export.summary["voters"]


def test_matrix_alone_gives_the_latest_votes(
    polis_export: tuple[str, PolisExport], tmp_path: Path
) -> None:
    """Without votes.csv, the participants-votes matrix is the vote record."""
    name, export = polis_export
    for file in ("comments.csv", "participants-votes.csv"):
        shutil.copy(POLIS_DATA / name / file, tmp_path / file)
    alone = read_polis_export(tmp_path)
    assert _latest(alone.conversation.votes) == _latest(export.conversation.votes)
    assert alone.polis_groups == export.polis_groups
    assert alone.summary == {}


def test_reading_our_export_back_reproduces_the_analysis(
    polis_export: tuple[str, PolisExport], tmp_path: Path
) -> None:
    """Our export of a conversation, with our groups, read back: the same analysis, also when
    only its comments.csv and participants-votes.csv are kept."""
    _, export = polis_export
    ours = analyze_conversation(export.conversation, AnalysisOptions(seed=0))
    groups = dict(zip(ours.participants_in, ours.group_labels.tolist(), strict=True))
    write_polis_export(tmp_path, export.conversation, groups, export.summary)
    again = read_polis_export(tmp_path)
    assert dict(again.polis_groups) == groups
    assert_same_analysis(ours, analyze_conversation(again.conversation, AnalysisOptions(seed=0)))
    (tmp_path / "votes.csv").unlink()
    matrix_only = read_polis_export(tmp_path)
    assert_same_analysis(
        ours, analyze_conversation(matrix_only.conversation, AnalysisOptions(seed=0))
    )


def test_files_in_memory_read_as_the_folder_does(polis_export: tuple[str, PolisExport]) -> None:
    name, export = polis_export
    folder = POLIS_DATA / name
    uploaded = {file.name: file.read_bytes() for file in folder.iterdir()}
    from_memory = read_polis_files(uploaded)
    assert from_memory.conversation.statements == export.conversation.statements
    assert _latest(from_memory.conversation.votes) == _latest(export.conversation.votes)
    assert from_memory.polis_groups == export.polis_groups
    assert from_memory.summary == export.summary


def test_export_rows_are_the_written_files(tmp_path: Path) -> None:
    export = read_polis_export(POLIS_DATA / "scoop-hivemind.ubi")
    write_polis_export(tmp_path, export.conversation, export.polis_groups, export.summary)
    rows = polis_export_rows(export.conversation, export.polis_groups, export.summary)
    assert sorted(rows) == sorted(POLIS_FILES)
    for name, produced in rows.items():
        with (tmp_path / name).open(newline="", encoding="utf-8") as handle:
            assert list(csv.reader(handle)) == [[str(cell) for cell in row] for row in produced]


def test_a_byte_order_mark_is_not_part_of_the_header(tmp_path: Path) -> None:
    """Spreadsheets save "CSV UTF-8" with a byte order mark."""
    source = POLIS_DATA / "brexit-consensus"
    files = {name: (source / name).read_bytes() for name in POLIS_FILES}
    marked = {name: codecs.BOM_UTF8 + data for name, data in files.items()}
    assert read_polis_files(marked).conversation.statements == (
        read_polis_files(files).conversation.statements
    )


def test_blank_rows_count_in_row_numbers() -> None:
    """A spreadsheet shows a blank row, so the row number of a later problem counts it."""
    comments = b"comment-id,comment-body\n\n0,A statement\n1,Another\n"
    votes = b"comment-id,voter-id,vote\n0,1,1\n\n7,1,1\n"
    with pytest.raises(PolisExportError) as caught:
        read_polis_files({"comments.csv": comments, "votes.csv": votes})
    assert str(caught.value) == (
        "votes.csv, row 4, column 1 (comment-id): comment id 7 is not in comments.csv"
    )


def test_a_quote_never_closed_at_the_end_is_named() -> None:
    comments = b'comment-id,comment-body\n0,"A statement\n1,Another\n'
    with pytest.raises(PolisExportError, match="never closed") as caught:
        read_polis_files({"comments.csv": comments, "votes.csv": b"comment-id,voter-id,vote\n"})
    assert (caught.value.row, caught.value.column) == (2, 2)


def test_minimal_files_need_only_ids_text_and_votes() -> None:
    """Columns other than the ids, text and votes may be left out (timestamps: file order)."""
    export = read_polis_files(
        {
            "comments.csv": b"comment-id,comment-body\n0,Streets feel safe\n1,Lights work\n",
            "votes.csv": b"comment-id,voter-id,vote\n0,a,1\n1,a,-1\n0,a,0\n",
        }
    )
    assert export.conversation.statements == (
        Statement(id=0, text="Streets feel safe"),
        Statement(id=1, text="Lights work"),
    )
    assert _latest(export.conversation.votes) == {("a", 0): 0, ("a", 1): -1}


@pytest.mark.parametrize("corrupt", BAD_EXPORTS, ids=lambda corrupt: corrupt.__name__)
def test_bad_export_is_refused_with_file_row_and_column(
    corrupt: Callable[[Path], Expected], tmp_path: Path
) -> None:
    expected = corrupt(tmp_path)
    with pytest.raises(PolisExportError) as caught:
        read_polis_export(tmp_path)
    error = caught.value
    assert (error.file, error.row, error.column, error.column_name) == (
        str(tmp_path / expected.file),
        expected.row,
        expected.column,
        expected.column_name,
    )
    assert str(error).startswith(expected.location(tmp_path) + ": ")
    assert expected.says in error.problem


@pytest.mark.parametrize("corrupt", BAD_EXPORTS, ids=lambda corrupt: corrupt.__name__)
def test_uploaded_bad_export_names_the_file_as_uploaded(
    corrupt: Callable[[Path], Expected], tmp_path: Path
) -> None:
    expected = corrupt(tmp_path)
    uploaded = {file.name: file.read_bytes() for file in tmp_path.iterdir()}
    with pytest.raises(PolisExportError) as caught:
        read_polis_files(uploaded)
    assert (caught.value.file, caught.value.row, caught.value.column) == (
        expected.file,
        expected.row,
        expected.column,
    )


def test_export_error_survives_pickling(tmp_path: Path) -> None:
    """A task queue carries the error, location included, from a worker back to the caller."""
    BAD_EXPORTS[0](tmp_path)
    with pytest.raises(PolisExportError) as caught:
        read_polis_export(tmp_path)
    copied = pickle.loads(pickle.dumps(caught.value))  # noqa: S301 - our own error, just made
    assert (str(copied), copied.file, copied.row, copied.column, copied.problem) == (
        str(caught.value),
        caught.value.file,
        caught.value.row,
        caught.value.column,
        caught.value.problem,
    )


def test_not_a_directory_is_named(tmp_path: Path) -> None:
    with pytest.raises(PolisExportError, match="nowhere is not a directory"):
        read_polis_export(tmp_path / "nowhere")


def test_votes_on_an_unlisted_statement_are_not_exported(tmp_path: Path) -> None:
    """An export that could not be read back is refused before any file is written."""
    conversation = Conversation(
        (Statement(id=0, text="Lights work"),), VoteTable.from_arrays(["a", "a"], [0, 5], [1, -1])
    )
    with pytest.raises(VoteDataError, match=r"statement\(s\) 5"):
        write_polis_export(tmp_path / "out", conversation)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("options", "says"),
    [
        (AnalysisOptions(min_votes=-1), "min_votes must be 0 or more"),
        (AnalysisOptions(seed=-1), "seed must be 0 or more"),
        (AnalysisOptions(pick_max=0), "pick_max must be 1 or more"),
    ],
)
def test_options_out_of_range_are_refused(options: AnalysisOptions, says: str) -> None:
    export = read_polis_export(POLIS_DATA / "brexit-consensus")
    with pytest.raises(VoteDataError, match=says):
        analyze_conversation(export.conversation, options)
