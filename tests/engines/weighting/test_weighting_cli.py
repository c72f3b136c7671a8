"""`cpps weight rake` and `cpps weight report` on files, as a facilitator runs them."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest

from cpps.cli import weight


def write_csv(path, header, rows):
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.fixture
def files(tmp_path, census_districts):
    """Answers from three real districts, over-representing district 1, and their census
    margins: adults by district and households by tenure."""
    districts = {n: census_districts[n]["dhc2020_pop_in_households"] for n in ("1", "7", "11")}
    targets = [("district", n, v, "residents") for n, v in districts.items()]
    total = sum(districts.values())
    targets += [("tenure", "owner", 0.54 * total, "households")]
    targets += [("tenure", "renter", 0.46 * total, "households")]
    rng = np.random.default_rng(4)
    answers = [
        (
            rng.choice(["1", "7", "11"], p=[0.6, 0.2, 0.2]),
            rng.choice(["owner", "renter"], p=[0.82, 0.18]),
        )
        for _ in range(500)
    ]
    sample = write_csv(tmp_path / "answers.csv", ["district", "tenure"], answers)
    margins = write_csv(
        tmp_path / "margins.csv", ["variable", "category", "target", "universe"], targets
    )
    return sample, margins


def test_rake_prints_summary_and_writes_weights(files, capsys, tmp_path):
    sample, margins = files
    out = tmp_path / "weights.csv"
    code = weight.main(
        [
            "rake",
            "--sample",
            str(sample),
            "--targets",
            str(margins),
            "--cap",
            "5",
            "--out",
            str(out),
            "--json",
        ]
    )
    assert code == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["converged"] is True
    assert summary["max_weight"] <= 5
    with out.open() as handle:
        rows = list(csv.DictReader(handle))
    weights = np.array([float(row["weight"]) for row in rows])
    renters = np.array([row["tenure"] == "renter" for row in rows])
    assert weights[renters].sum() / weights.sum() == pytest.approx(0.46, abs=1e-5)
    assert summary["design_effect"] == pytest.approx(
        len(weights) * (weights**2).sum() / weights.sum() ** 2, rel=1e-6
    )


def test_report_flags_renters(files, capsys):
    sample, margins = files
    assert weight.main(["report", "--sample", str(sample), "--targets", str(margins)]) == 0
    printed = capsys.readouterr().out
    assert "Where to do more outreach:" in printed
    assert "tenure renter:" in printed
    assert "of households" in printed


def test_bad_targets_file_gives_one_line_error(tmp_path, files, capsys):
    sample, _ = files
    broken = write_csv(
        tmp_path / "bad.csv", ["variable", "category", "count"], [("tenure", "owner", "1")]
    )
    assert weight.main(["rake", "--sample", str(sample), "--targets", str(broken)]) == 2
    error = capsys.readouterr().err
    assert error.startswith("cpps weight: ")
    assert "missing: target" in error
    assert len(error.strip().splitlines()) == 1


def test_missing_file_gives_one_line_error(tmp_path, capsys):
    code = weight.main(["report", "--sample", str(tmp_path / "nope.csv"), "--targets", "x.csv"])
    assert code == 2
    assert "cannot read" in capsys.readouterr().err


def test_empty_category_error_reaches_the_facilitator(tmp_path, capsys):
    sample = write_csv(tmp_path / "a.csv", ["tenure"], [("owner",)] * 5)
    margins = write_csv(
        tmp_path / "m.csv",
        ["variable", "category", "target"],
        [("tenure", "owner", 54), ("tenure", "renter", 46)],
    )
    assert weight.main(["rake", "--sample", str(sample), "--targets", str(margins)]) == 2
    assert "No answers in 'renter' of 'tenure'" in capsys.readouterr().err


def test_estimate_gives_weighted_means_by_group(files, capsys, tmp_path):
    sample, margins = files
    out = tmp_path / "weighted.csv"
    assert (
        weight.main(["rake", "--sample", str(sample), "--targets", str(margins), "--out", str(out)])
        == 0
    )
    capsys.readouterr()
    with out.open() as handle:
        rows = list(csv.DictReader(handle))
    renter = np.array([1.0 if row["tenure"] == "renter" else 0.0 for row in rows])
    weights = np.array([float(row["weight"]) for row in rows])
    rows_out = [{**row, "renter": str(int(flag))} for row, flag in zip(rows, renter, strict=True)]
    with out.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows_out[0]))
        writer.writeheader()
        writer.writerows(rows_out)
    argv = [
        "estimate",
        "--sample",
        str(out),
        "--value",
        "renter",
        "--proportion",
        "--by",
        "district",
        "--json",
    ]
    assert weight.main(argv) == 0
    estimates = json.loads(capsys.readouterr().out)
    assert estimates[0]["group"] is None
    assert estimates[0]["value"] == pytest.approx(np.average(renter, weights=weights))
    assert {e["group"] for e in estimates[1:]} == {"1", "7", "11"}
    assert all(0 <= e["low"] <= e["value"] <= e["high"] <= 1 for e in estimates)


def test_report_json_lists_alerts(files, capsys):
    sample, margins = files
    assert (
        weight.main(["report", "--sample", str(sample), "--targets", str(margins), "--json"]) == 0
    )
    report = json.loads(capsys.readouterr().out)
    assert any(alert.startswith("tenure renter") for alert in report["alerts"])
    assert {row["variable"] for row in report["rows"]} == {"district", "tenure"}
