"""The `cpps panel` command contract: JSON output, exit codes, verification."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cpps.cli import panel

DATA = Path(__file__).resolve().parents[3] / "data" / "sortition"
SFSCOT = [
    "--categories",
    str(DATA / "sfscot_22" / "categories.csv"),
    "--respondents",
    str(DATA / "sfscot_22" / "respondents.csv"),
    "--size",
    "22",
]


@pytest.mark.slow
def test_probabilities_json_has_the_contract_fields(capsys):
    assert panel.main(["probabilities", *SFSCOT, "--algorithm", "leximin", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    for key in (
        "algorithm",
        "size",
        "min_probability",
        "max_probability",
        "support_size",
        "seconds",
        "people",
    ):
        assert key in result
    assert result["algorithm"] == "leximin"
    assert result["size"] == 22
    assert len(result["people"]) == 150
    assert set(result["people"][0]) == {"id", "probability"}
    assert sum(p["probability"] for p in result["people"]) == pytest.approx(22, abs=1e-6)
    assert min(p["probability"] for p in result["people"]) == result["min_probability"]


@pytest.mark.slow
def test_select_then_verify_round_trips_and_detects_tampering(capsys, tmp_path: Path):
    out = tmp_path / "draw"
    arguments = ["select", *SFSCOT, "--seed-text", "07 19 23 31 44", "--out", str(out), "--json"]
    assert panel.main(arguments) == 0
    selected = json.loads(capsys.readouterr().out)
    assert len(selected["panel"]) == 22
    assert 0 <= selected["lottery_index"] < selected["lottery_panels"] == 1000
    assert len(selected["commitment_sha256"]) == 64

    assert panel.main(["verify", str(out), "--json"]) == 0
    verified = json.loads(capsys.readouterr().out)
    assert verified["commitment_sha256"] == selected["commitment_sha256"]
    assert verified["lottery_index"] == selected["lottery_index"]
    assert verified["panel"] == selected["panel"]

    draw = json.loads((out / "draw.json").read_text())
    draw["panel"][0] = draw["alternates"][0]
    (out / "draw.json").write_text(json.dumps(draw))
    assert panel.main(["verify", str(out)]) == 1
    assert "does not verify" in capsys.readouterr().err


def test_bad_input_is_one_line_on_stderr_with_exit_code_2(capsys, tmp_path: Path):
    (tmp_path / "people.csv").write_text("gender,leaning\nfemale,left\n")
    code = panel.main(
        [
            "probabilities",
            "--categories",
            str(DATA / "example_small_20" / "categories.csv"),
            "--respondents",
            str(tmp_path / "people.csv"),
            "--size",
            "1",
        ]
    )
    error = capsys.readouterr().err
    assert code == 2
    assert error.startswith("cpps panel: ")
    assert "value 'left' has no quota row" in error
    assert len(error.strip().splitlines()) == 1


def test_verify_of_a_missing_directory_fails(capsys, tmp_path: Path):
    assert panel.main(["verify", str(tmp_path / "nowhere")]) == 1
    assert "lacks" in capsys.readouterr().err
