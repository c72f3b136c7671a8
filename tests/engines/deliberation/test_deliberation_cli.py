"""`cpps deliberate` on real Polis exports, and on broken copies of them."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from cpps.cli import deliberate
from cpps.cli.files import USAGE_ERROR

from . import bad_exports
from .bad_exports import BAD_EXPORTS, Expected
from .conftest import POLIS_DATA

REPO_ROOT = POLIS_DATA.parents[1]


def run_cpps(*arguments: str, columns: int = 80) -> subprocess.CompletedProcess[str]:
    """Run `cpps deliberate ...` in a fresh process, on a terminal `columns` wide."""
    return subprocess.run(
        [sys.executable, "-m", "cpps.cli.main", "deliberate", *arguments],
        cwd=REPO_ROOT,
        env={**os.environ, "COLUMNS": str(columns)},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _texts(folder: Path) -> dict[int, str]:
    with (folder / "comments.csv").open(newline="", encoding="utf-8") as handle:
        return {int(row["comment-id"]): row["comment-body"] for row in csv.DictReader(handle)}


def test_analyze_json_contract(capsys: pytest.CaptureFixture[str]) -> None:
    folder = POLIS_DATA / "canadian-electoral-reform"
    assert deliberate.main(["analyze", str(folder), "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    texts = _texts(folder)
    assert payload["participants_in"] == sum(len(g["members"]) for g in payload["groups"])
    assert payload["statements"] > 0
    assert payload["seconds"] >= 0
    assert len(payload["groups"]) >= 2
    for group in payload["groups"]:
        assert set(group) >= {"id", "members", "representative"}
        for statement in group["representative"]:
            assert set(statement) >= {"statement", "text", "direction", "p", "ratio"}
            assert statement["direction"] in {"agree", "disagree"}
            assert statement["text"] == texts[statement["statement"]]
    assert set(payload["consensus"]) == {"agree", "disagree"}
    listed = [
        *payload["consensus"]["agree"],
        *payload["consensus"]["disagree"],
        *payload["group_informed_consensus"],
    ]
    assert listed
    assert all(entry["text"] == texts[entry["statement"]] for entry in listed)
    scores = [s["score"] for s in payload["group_informed_consensus"]]
    assert scores == sorted(scores, reverse=True)


def test_summary_prints_each_statement_text_beside_its_id_within_the_terminal() -> None:
    folder = POLIS_DATA / "scoop-hivemind.ubi"
    payload = json.loads(run_cpps("analyze", str(folder), "--json").stdout)
    result = run_cpps("analyze", str(folder), columns=80)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "participants in" in lines[0]
    assert all(len(line) <= 80 for line in lines)
    listed = [
        *(r for group in payload["groups"] for r in group["representative"]),
        *payload["consensus"]["agree"],
        *payload["group_informed_consensus"],
    ]
    for entry in listed:
        beginning = " ".join(entry["text"].split()[:3])
        assert any(f" {entry['statement']}  {beginning}" in line for line in lines), entry


def test_analyze_accepts_an_export_without_votes_csv(tmp_path: Path) -> None:
    """Many published Polis exports have only comments.csv and participants-votes.csv."""
    source = POLIS_DATA / "brexit-consensus"
    for name in ("comments.csv", "participants-votes.csv"):
        shutil.copy(source / name, tmp_path / name)
    alone = run_cpps("analyze", str(tmp_path), "--json")
    full = run_cpps("analyze", str(source), "--json")
    assert alone.returncode == full.returncode == 0, alone.stderr + full.stderr
    groups_alone, groups_full = (
        [(g["members"], g["representative"]) for g in json.loads(r.stdout)["groups"]]
        for r in (alone, full)
    )
    assert groups_alone == groups_full


def test_export_writes_the_four_polis_files_with_our_groups(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert deliberate.main(["export", str(POLIS_DATA / "brexit-consensus"), str(out)]) == 0
    assert {p.name for p in out.iterdir()} == {
        "comments.csv",
        "votes.csv",
        "participants-votes.csv",
        "summary.csv",
    }
    header = (out / "participants-votes.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header.startswith("participant,group-id,")


def test_missing_directory_is_one_line_on_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert deliberate.main(["analyze", str(tmp_path / "nowhere"), "--json"]) == USAGE_ERROR
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1
    assert "not a directory" in captured.err


@pytest.mark.parametrize("corrupt", BAD_EXPORTS, ids=lambda corrupt: corrupt.__name__)
def test_bad_export_is_one_line_naming_file_row_and_column(
    corrupt: Callable[[Path], Expected], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    expected = corrupt(tmp_path)
    assert deliberate.main(["analyze", str(tmp_path)]) == USAGE_ERROR
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(f"cpps deliberate: {expected.location(tmp_path)}: ")
    assert expected.says in captured.err
    assert captured.err.count("\n") == 1


@pytest.mark.parametrize(
    "corrupt",
    [
        bad_exports.unknown_comment_in_votes,
        bad_exports.unterminated_quote_in_comment,
        bad_exports.not_utf8,
        bad_exports.matrix_vote_out_of_range,
    ],
    ids=lambda corrupt: corrupt.__name__,
)
def test_bad_export_exits_2_without_a_traceback(
    corrupt: Callable[[Path], Expected], tmp_path: Path
) -> None:
    expected = corrupt(tmp_path)
    result = run_cpps("analyze", str(tmp_path), "--json")
    assert result.returncode == USAGE_ERROR
    assert result.stdout == ""
    assert result.stderr.startswith(f"cpps deliberate: {expected.location(tmp_path)}: ")
    assert result.stderr.count("\n") == 1


def test_negative_min_votes_is_a_usage_error() -> None:
    result = run_cpps("analyze", str(POLIS_DATA / "brexit-consensus"), "--min-votes", "-1")
    assert result.returncode == 2
    assert result.stdout == ""
    assert "argument --min-votes: -1 is out of range: it must be 0 or more" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("option", "value", "says"),
    [
        ("--min-votes", "-3", "-3 is out of range: it must be 0 or more"),
        ("--min-votes", "seven", "'seven' is not a whole number"),
        ("--max-groups", "1", "1 is out of range: it must be from 2 to 100"),
        ("--max-groups", "101", "101 is out of range: it must be from 2 to 100"),
        ("--seed", "-1", "-1 is out of range: it must be 0 or more"),
        ("--top", "-1", "-1 is out of range: it must be 0 or more"),
    ],
)
def test_options_out_of_range_are_refused(
    option: str, value: str, says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        deliberate.main(["analyze", str(POLIS_DATA / "brexit-consensus"), f"{option}={value}"])
    assert exited.value.code == 2
    assert f"argument {option}: {says}" in capsys.readouterr().err
