"""`cpps rank` on a votes file."""

from __future__ import annotations

import csv
import json

import numpy as np

from cpps.cli import rank

IDEAS = ["Street lights", "Youth jobs", "Foot patrols", "Vacant lots"]


def test_rank_prints_scores_and_next_pairs(tmp_path, capsys):
    rng = np.random.default_rng(1)
    strength = dict(zip(IDEAS, [1.0, 0.5, 0.0, -1.0], strict=True))
    votes = tmp_path / "votes.csv"
    with votes.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["winner", "loser"])
        for _ in range(600):
            a, b = rng.choice(IDEAS, size=2, replace=False)
            won = rng.random() < 1 / (1 + np.exp(strength[b] - strength[a]))
            writer.writerow([a, b] if won else [b, a])
        writer.writerow(["Street lights", ""])  # "I can't decide"
    ideas = tmp_path / "ideas.csv"
    ideas.write_text("idea\nStreet lights\nTransit safety\n")
    argv = ["--comparisons", str(votes), "--ideas", str(ideas), "--next", "3", "--json"]
    assert rank.main(argv) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["comparisons"] == 600
    assert result["ideas"][0]["idea"] == "Street lights"
    newcomer = next(e for e in result["ideas"] if e["idea"] == "Transit safety")
    assert newcomer["comparisons"] == 0
    assert all("Transit safety" in pair for pair in result["next_pairs"])


def test_missing_columns_give_one_line_error(tmp_path, capsys):
    votes = tmp_path / "votes.csv"
    votes.write_text("left,right\na,b\n")
    assert rank.main(["--comparisons", str(votes)]) == 2
    error = capsys.readouterr().err
    assert error.startswith("cpps rank: ")
    assert "--winner-column" in error
