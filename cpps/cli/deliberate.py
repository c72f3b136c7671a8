"""`cpps deliberate`: analyse a Polis export (opinion groups, representative and bridging
statements) or re-export it with our groups, without Django or a database."""

from __future__ import annotations

import argparse
import json
import time
from functools import partial
from pathlib import Path
from typing import Any

from cpps.cli.files import readable_csv_files, run_reporting_errors, writing
from cpps.engines.deliberation import (
    Analysis,
    AnalysisOptions,
    DeliberationError,
    analyze_conversation,
    read_polis_export,
    write_polis_export,
)

POLIS_FILES = ("comments.csv", "votes.csv", "participants-votes.csv")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cpps deliberate", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    analyze = commands.add_parser("analyze", help="opinion groups and consensus of a Polis export")
    analyze.add_argument("export_dir", help="folder with comments.csv and votes.csv")
    analyze.add_argument("--json", action="store_true", help="print one JSON object")
    _add_options(analyze)
    analyze.add_argument("--top", type=int, default=10, help="bridging statements to list")
    export = commands.add_parser("export", help="write the conversation as a Polis export")
    export.add_argument("export_dir", help="folder with comments.csv and votes.csv")
    export.add_argument("out_dir", help="folder to write comments/votes/participants-votes.csv")
    _add_options(export)
    return parser


def _add_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--clustering", choices=("auto", "polis", "two-level"), default="auto")
    parser.add_argument("--consensus", choices=("corrected", "polis"), default="corrected")
    parser.add_argument("--min-votes", type=int, default=7)
    parser.add_argument("--max-groups", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)


def _options(arguments: argparse.Namespace) -> AnalysisOptions:
    return AnalysisOptions(
        min_votes=arguments.min_votes,
        max_groups=arguments.max_groups,
        clustering=arguments.clustering,
        consensus=arguments.consensus,
        seed=arguments.seed,
    )


def analysis_json(analysis: Analysis, seconds: float, top: int) -> dict[str, Any]:
    """The CLI's JSON contract for one analysis."""
    return {
        "participants": len(analysis.participants),
        "participants_in": len(analysis.participants_in),
        "statements": len(analysis.statements),
        "clustering": analysis.options.clustering,
        "silhouette": analysis.silhouette,
        "groups": [
            {
                "id": group.id,
                "size": len(group.members),
                "members": list(group.members),
                "center": list(group.center),
                "representative": [
                    {
                        "statement": r.statement,
                        "direction": r.direction,
                        "p": r.p,
                        "ratio": r.ratio,
                        "test": r.test,
                        "n_success": r.n_success,
                        "n_trials": r.n_trials,
                    }
                    for r in group.representative
                ],
            }
            for group in analysis.groups
        ],
        "consensus": {
            direction: [
                {"statement": c.statement, "p": c.p, "score": c.p * c.p_test} for c in listed
            ]
            for direction, listed in (
                ("agree", analysis.consensus_agree),
                ("disagree", analysis.consensus_disagree),
            )
        },
        "group_informed_consensus": [
            {"statement": s.statement, "score": s.score}
            for s in analysis.group_informed_consensus[:top]
        ],
        "consensus_mode": analysis.options.consensus,
        "seconds": seconds,
    }


def _print_summary(payload: dict[str, Any]) -> None:
    print(
        f"{payload['participants_in']} of {payload['participants']} participants in "
        f"{len(payload['groups'])} groups over {payload['statements']} statements "
        f"({payload['seconds']:.2f} s)"
    )
    for group in payload["groups"]:
        shown = ", ".join(f"{r['statement']} {r['direction']}" for r in group["representative"])
        print(f"group {group['id']} ({group['size']} people): {shown}")
    agreed = ", ".join(str(c["statement"]) for c in payload["consensus"]["agree"])
    print(f"consensus (agree): {agreed or 'none'}")
    bridging = ", ".join(
        f"{s['statement']} ({s['score']:.2f})" for s in payload["group_informed_consensus"]
    )
    print(f"group-informed consensus: {bridging or 'none'}")


def main(argv: list[str]) -> int:
    """Run `cpps deliberate ...`; return the process exit code."""
    arguments = _parser().parse_args(argv)
    return run_reporting_errors(
        "cpps deliberate", partial(_run, arguments), refusals=(DeliberationError,)
    )


def _run(arguments: argparse.Namespace) -> int:
    start = time.perf_counter()
    folder = readable_csv_files(Path(arguments.export_dir), POLIS_FILES)
    export = read_polis_export(folder)
    analysis = analyze_conversation(export.conversation, _options(arguments))
    seconds = time.perf_counter() - start
    if arguments.command == "export":
        groups = dict(zip(analysis.participants_in, analysis.group_labels.tolist(), strict=True))
        with writing(Path(arguments.out_dir)):
            write_polis_export(arguments.out_dir, export.conversation, groups)
        return 0
    payload = analysis_json(analysis, seconds, arguments.top)
    if arguments.json:
        print(json.dumps(payload))
    else:
        _print_summary(payload)
    return 0
