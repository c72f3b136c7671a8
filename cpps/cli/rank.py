"""`cpps rank`: rank ideas from pairwise "which matters more?" votes.

    cpps rank --comparisons votes.csv [--ideas ideas.csv] [--next 5 --seed 1] [--json]

``votes.csv`` has one row per vote with the columns ``winner,loser`` (idea labels; rows where
either is blank, e.g. "I can't decide", are skipped). ``ideas.csv`` (column ``idea``) lists
ideas that may have no votes yet, such as ideas added mid-way. Runs without Django.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from functools import partial
from pathlib import Path

import numpy as np

from cpps.cli.files import InputFileError, read_csv, run_reporting_errors
from cpps.engines.errors import EngineError
from cpps.engines.ranking import WinCounts, choose_next_pair, fit_bradley_terry


def main(argv: list[str]) -> int:
    """Rank the ideas in a votes file; return the process exit code."""
    arguments = _parser().parse_args(argv)
    return run_reporting_errors("cpps rank", partial(_print, arguments), refusals=(EngineError,))


def _print(arguments: argparse.Namespace) -> int:
    print(_rank(arguments))
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cpps rank", description=__doc__.split("\n")[0])
    parser.add_argument("--comparisons", type=Path, required=True, help="votes CSV")
    parser.add_argument("--ideas", type=Path, help="CSV of all ideas (column 'idea')")
    parser.add_argument("--winner-column", default="winner")
    parser.add_argument("--loser-column", default="loser")
    parser.add_argument("--prior-variance", type=float, default=1.0)
    parser.add_argument("--confidence", type=float, default=0.95)
    parser.add_argument("--next", type=int, default=0, help="also suggest this many next pairs")
    parser.add_argument("--seed", type=int, default=0, help="seed for the suggested pairs")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    return parser


def _rank(arguments: argparse.Namespace) -> str:
    winners, losers = _read_votes(
        arguments.comparisons, arguments.winner_column, arguments.loser_column
    )
    ideas = list(dict.fromkeys([*_read_ideas(arguments.ideas), *winners, *losers]))
    ranking = fit_bradley_terry(
        WinCounts.from_comparisons(ideas, winners, losers),
        prior_variance=arguments.prior_variance,
        confidence=arguments.confidence,
    )
    rng = np.random.default_rng(arguments.seed)
    pairs = [choose_next_pair(ranking, rng) for _ in range(max(arguments.next, 0))]
    if arguments.json:
        return json.dumps(
            {
                "comparisons": len(winners),
                "confidence": ranking.confidence,
                "ideas": [{**asdict(s), "comparisons": s.comparisons} for s in ranking.scores],
                "next_pairs": [list(pair) for pair in pairs],
            },
            indent=2,
        )
    percent = f"{ranking.confidence:.0%}"
    lines = [f"{len(winners)} votes on {len(ideas)} ideas; score = chance of beating another idea"]
    lines.append(f"{'rank':>4}  {'score':>5}  {percent + ' interval':>15}  {'votes':>6}  idea")
    for place, entry in enumerate(ranking.scores, start=1):
        interval = f"{entry.score_low:.1f}-{entry.score_high:.1f}"
        lines.append(
            f"{place:>4}  {entry.score:>5.1f}  {interval:>15}  {entry.comparisons:>6}  {entry.idea}"
        )
    if pairs:
        lines += ["", "Ask next:"] + [f"  {left}  vs  {right}" for left, right in pairs]
    return "\n".join(lines)


def _read_votes(path: Path, winner: str, loser: str) -> tuple[list[str], list[str]]:
    header, rows = read_csv(path)
    missing = [c for c in (winner, loser) if c not in header]
    if missing:
        raise InputFileError(
            f"{path} has no column {', '.join(map(repr, missing))} (columns: {', '.join(header)});"
            f" name them with --winner-column/--loser-column."
        )
    votes = [
        (row[winner].strip(), row[loser].strip())
        for row in rows
        if (row.get(winner) or "").strip() and (row.get(loser) or "").strip()
    ]
    return [w for w, _ in votes], [loss for _, loss in votes]


def _read_ideas(path: Path | None) -> list[str]:
    if path is None:
        return []
    header, rows = read_csv(path)
    if "idea" not in header:
        raise InputFileError(f"{path} needs a column 'idea'.")
    return [row["idea"].strip() for row in rows if (row.get("idea") or "").strip()]
