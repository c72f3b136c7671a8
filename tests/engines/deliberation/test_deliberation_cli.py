"""`cpps deliberate` on real Polis exports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cpps.cli import deliberate

from .conftest import POLIS_DATA


def test_analyze_json_contract(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        deliberate.main(["analyze", str(POLIS_DATA / "canadian-electoral-reform"), "--json"]) == 0
    )
    payload = json.loads(capsys.readouterr().out)
    assert payload["participants_in"] == sum(len(g["members"]) for g in payload["groups"])
    assert payload["statements"] > 0
    assert payload["seconds"] >= 0
    assert len(payload["groups"]) >= 2
    for group in payload["groups"]:
        assert set(group) >= {"id", "members", "representative"}
        for statement in group["representative"]:
            assert set(statement) >= {"statement", "direction", "p", "ratio"}
            assert statement["direction"] in {"agree", "disagree"}
    assert set(payload["consensus"]) == {"agree", "disagree"}
    scores = [s["score"] for s in payload["group_informed_consensus"]]
    assert scores == sorted(scores, reverse=True)


def test_analyze_prints_a_summary(capsys: pytest.CaptureFixture[str]) -> None:
    assert deliberate.main(["analyze", str(POLIS_DATA / "brexit-consensus")]) == 0
    assert "participants in" in capsys.readouterr().out


def test_export_writes_polis_files_with_our_groups(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert deliberate.main(["export", str(POLIS_DATA / "brexit-consensus"), str(out)]) == 0
    assert {p.name for p in out.iterdir()} == {
        "comments.csv",
        "votes.csv",
        "participants-votes.csv",
    }
    header = (out / "participants-votes.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header.startswith("participant,group-id,")


def test_missing_directory_is_one_line_on_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert deliberate.main(["analyze", str(tmp_path / "nowhere"), "--json"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1
    assert "not a directory" in captured.err
