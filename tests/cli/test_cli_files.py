"""Every engine sub-command answers an unusable file with one line naming it and exit code 2:
a missing file, a directory where a file belongs, a file that is not UTF-8, a cell too long for
CSV, and an output that cannot be written. Never a traceback."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from cpps.cli import deliberate, panel, rank, weight

DATA = Path(__file__).resolve().parents[2] / "data"
LATIN1 = "gender,leaning\nfemale,café\n".encode("latin-1")
Files = dict[str, Path]


@pytest.fixture
def files(tmp_path) -> Files:
    """Small valid inputs for every command, and a plain file to put outputs under."""
    sortition = DATA / "sortition" / "example_small_20"
    shutil.copy(sortition / "categories.csv", tmp_path / "categories.csv")
    shutil.copy(sortition / "respondents.csv", tmp_path / "respondents.csv")
    shutil.copytree(DATA / "polis" / "brexit-consensus", tmp_path / "polis")
    (tmp_path / "sample.csv").write_text("sex,safety\nF,5\nM,6\nF,7\nM,3\n", encoding="utf-8")
    (tmp_path / "targets.csv").write_text(
        "variable,category,target\nsex,F,50\nsex,M,50\n", encoding="utf-8"
    )
    (tmp_path / "votes.csv").write_text("winner,loser\nA,B\nB,C\nA,C\n", encoding="utf-8")
    (tmp_path / "a-file").write_text("not a folder\n", encoding="utf-8")
    return {
        "categories": tmp_path / "categories.csv",
        "respondents": tmp_path / "respondents.csv",
        "polis": tmp_path / "polis",
        "comments": tmp_path / "polis" / "comments.csv",
        "votes_csv": tmp_path / "polis" / "votes.csv",
        "sample": tmp_path / "sample.csv",
        "targets": tmp_path / "targets.csv",
        "votes": tmp_path / "votes.csv",
        "unwritable": tmp_path / "a-file" / "out",
    }


def panel_inputs(f: Files) -> list[str]:
    return ["--categories", str(f["categories"]), "--respondents", str(f["respondents"])]


FAST_PANEL = ["--size", "20", "--algorithm", "legacy", "--legacy-draws", "50"]
# (name, entry point, argv from the files, the files a bad copy may replace)
# (`cpps deliberate` reads a Polis export with the engine's own reader, whose file, row and
# column messages tests/engines/deliberation/test_deliberation_cli.py checks case by case.)
COMMANDS: list[tuple[str, Callable[[list[str]], int], Callable[[Files], list[str]], list[str]]] = [
    (
        "panel probabilities",
        panel.main,
        lambda f: ["probabilities", *panel_inputs(f), *FAST_PANEL],
        ["categories", "respondents"],
    ),
    (
        "panel select",
        panel.main,
        lambda f: ["select", *panel_inputs(f), *FAST_PANEL, "--seed-text", "1 2 3"],
        ["categories", "respondents"],
    ),
    (
        "weight rake",
        weight.main,
        lambda f: ["rake", "--sample", str(f["sample"]), "--targets", str(f["targets"])],
        ["sample", "targets"],
    ),
    (
        "weight report",
        weight.main,
        lambda f: ["report", "--sample", str(f["sample"]), "--targets", str(f["targets"])],
        ["sample", "targets"],
    ),
    (
        "weight estimate",
        weight.main,
        lambda f: ["estimate", "--sample", str(f["sample"]), "--value", "safety", "--weights", ""],
        ["sample"],
    ),
    ("rank", rank.main, lambda f: ["--comparisons", str(f["votes"])], ["votes"]),
]


def spoil_missing(path: Path) -> str:
    path.unlink()
    return "No such file or directory"


def spoil_directory(path: Path) -> str:
    path.unlink()
    path.mkdir()
    return "Is a directory"


def spoil_encoding(path: Path) -> str:
    path.write_bytes(LATIN1)
    return "is not UTF-8 text: byte 0xe9 on line 2"


def spoil_long_cell(path: Path) -> str:
    path.write_text("gender,leaning\n" + "x" * 200_000 + ",liberal\n", encoding="utf-8")
    return "not well-formed CSV (field larger than field limit"


SPOILERS = [spoil_missing, spoil_directory, spoil_encoding, spoil_long_cell]


def refusal(capsys, entry: Callable[[list[str]], int], argv: list[str]) -> str:
    assert entry(argv) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1, lines
    return lines[0]


INPUT_CASES = [
    pytest.param(name, entry, argv, role, id=f"{name} {role}")
    for name, entry, argv, roles in COMMANDS
    for role in roles
]


@pytest.mark.parametrize("spoil", SPOILERS, ids=lambda spoil: spoil.__name__)
@pytest.mark.parametrize(("name", "entry", "argv", "role"), INPUT_CASES)
def test_every_input_file_problem_is_one_line_naming_the_file(  # noqa: PLR0917 - parameters
    files, capsys, spoil, name, entry, argv, role
):
    path = files[role]
    reason = spoil(path)
    line = refusal(capsys, entry, argv(files))
    assert line.startswith(f"cpps {name.split()[0]}: "), line
    assert str(path) in line or (path.name in line and str(path.parent) in line), line
    assert reason in line, line


def test_a_latin1_respondents_file_is_named_with_the_fix(files, capsys):
    files["respondents"].write_bytes(LATIN1)
    line = refusal(capsys, panel.main, ["probabilities", *panel_inputs(files), *FAST_PANEL])
    assert line == (
        f"cpps panel: {files['respondents']} is not UTF-8 text: byte 0xe9 on line 2 is not "
        'UTF-8. Save the file as UTF-8 ("CSV UTF-8" in a spreadsheet) and try again.'
    )


@pytest.mark.parametrize(
    ("entry", "argv"),
    [
        (
            panel.main,
            lambda f: [
                "select",
                *panel_inputs(f),
                *FAST_PANEL,
                "--seed-text",
                "1 2 3",
                "--out",
                str(f["unwritable"]),
            ],
        ),
        (
            weight.main,
            lambda f: [
                "rake",
                "--sample",
                str(f["sample"]),
                "--targets",
                str(f["targets"]),
                "--out",
                str(f["unwritable"]),
            ],
        ),
        (deliberate.main, lambda f: ["export", str(f["polis"]), str(f["unwritable"])]),
    ],
    ids=["panel select --out", "weight rake --out", "deliberate export"],
)
def test_an_output_that_cannot_be_written_is_one_line_naming_it(files, capsys, entry, argv):
    line = refusal(capsys, entry, argv(files))
    assert f"cannot write {files['unwritable']}" in line, line
    assert "Not a directory" in line, line


def test_a_transcript_folder_with_a_bad_file_names_it(files, capsys, tmp_path):
    folder = tmp_path / "transcript"
    assert (
        panel.main(
            [
                "select",
                *panel_inputs(files),
                *FAST_PANEL,
                "--seed-text",
                "1 2 3",
                "--out",
                str(folder),
            ]
        )
        == 0
    )
    capsys.readouterr()
    (folder / "respondents.csv").write_bytes(LATIN1)
    line = refusal(capsys, panel.main, ["verify", str(folder)])
    assert f"{folder / 'respondents.csv'} is not UTF-8 text" in line
