"""`cpps deliberate`: analyse a Polis export (opinion groups, representative and bridging
statements) or re-export it with our groups, without Django or a database.

An export is a folder with comments.csv and votes.csv or participants-votes.csv (summary.csv is
optional). Bad input is one line on stderr naming the file, row and column, and exit status 1.
"""

from __future__ import annotations

import argparse
import io
import json
import shutil
import sys
import textwrap
import time
from collections.abc import Callable, Mapping
from functools import partial
from pathlib import Path
from typing import Any

from cpps.cli.files import run_reporting_errors, writing
from cpps.engines.deliberation import (
    Analysis,
    AnalysisOptions,
    DeliberationError,
    analyze_conversation,
    read_polis_export,
    write_polis_export,
)

EXPORT_DIR_HELP = "folder with comments.csv and votes.csv or participants-votes.csv"
# The engine's default number of base clusters bounds the group count.
MAX_GROUPS = AnalysisOptions().base_clusters
# Statement text is cut to the terminal's width, but never below this many characters.
NARROWEST_TEXT = 30


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cpps deliberate",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True)
    analyze = commands.add_parser("analyze", help="opinion groups and consensus of a Polis export")
    analyze.add_argument("export_dir", help=EXPORT_DIR_HELP)
    analyze.add_argument("--json", action="store_true", help="print one JSON object")
    _add_options(analyze)
    analyze.add_argument(
        "--top", type=_whole_number(0), default=10, help="bridging statements to list (default 10)"
    )
    export = commands.add_parser("export", help="write the conversation as a Polis export")
    export.add_argument("export_dir", help=EXPORT_DIR_HELP)
    export.add_argument(
        "out_dir", help="folder to write comments, votes, participants-votes and summary.csv"
    )
    _add_options(export)
    return parser


def _add_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--clustering", choices=("auto", "polis", "two-level"), default="auto")
    parser.add_argument("--consensus", choices=("corrected", "polis"), default="corrected")
    parser.add_argument(
        "--min-votes",
        type=_whole_number(0),
        default=7,
        help="votes a participant needs to be placed in a group (default 7)",
    )
    parser.add_argument(
        "--max-groups",
        type=_whole_number(2, MAX_GROUPS),
        default=5,
        help=f"most opinion groups to try, 2 to {MAX_GROUPS} (default 5)",
    )
    parser.add_argument("--seed", type=_whole_number(0), default=0, help="random seed, 0 or more")


def _whole_number(low: int, high: int | None = None) -> Callable[[str], int]:
    """An argparse type: a whole number from `low` (to `high`), else a usage error saying so."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < low or (high is not None and value > high):
            wanted = f"from {low} to {high}" if high is not None else f"{low} or more"
            raise argparse.ArgumentTypeError(f"{value} is out of range: it must be {wanted}")
        return value

    return parse


def _options(arguments: argparse.Namespace) -> AnalysisOptions:
    return AnalysisOptions(
        min_votes=arguments.min_votes,
        max_groups=arguments.max_groups,
        clustering=arguments.clustering,
        consensus=arguments.consensus,
        seed=arguments.seed,
    )


def analysis_json(
    analysis: Analysis, texts: Mapping[int, str], seconds: float, top: int
) -> dict[str, Any]:
    """The CLI's JSON contract for one analysis; `texts` gives each statement's text."""
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
                        "text": texts.get(r.statement, ""),
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
                {
                    "statement": c.statement,
                    "text": texts.get(c.statement, ""),
                    "p": c.p,
                    "score": c.p * c.p_test,
                }
                for c in listed
            ]
            for direction, listed in (
                ("agree", analysis.consensus_agree),
                ("disagree", analysis.consensus_disagree),
            )
        },
        "group_informed_consensus": [
            {"statement": s.statement, "text": texts.get(s.statement, ""), "score": s.score}
            for s in analysis.group_informed_consensus[:top]
        ],
        "consensus_mode": analysis.options.consensus,
        "seconds": seconds,
    }


def _statement_line(prefix: str, entry: Mapping[str, Any], width: int) -> str:
    """`prefix`, the statement id and its text on one line, the text cut to fit `width`."""
    start = f"  {prefix}{entry['statement']:>5}  "
    room = max(width - len(start), NARROWEST_TEXT)
    return start + textwrap.shorten(entry["text"] or "(no text)", room, placeholder=" ...")


def _print_summary(payload: Mapping[str, Any]) -> None:
    width = shutil.get_terminal_size().columns
    print(
        f"{payload['participants_in']} of {payload['participants']} participants in "
        f"{len(payload['groups'])} groups over {payload['statements']} statements "
        f"({payload['seconds']:.2f} s)"
    )
    for group in payload["groups"]:
        print(f"\ngroup {group['id']} ({group['size']} people), representative statements:")
        for r in group["representative"]:
            print(_statement_line(f"{r['direction']:<8}", r, width))
    for direction in ("agree", "disagree"):
        listed = payload["consensus"][direction]
        print(f"\nconsensus ({direction}):" + ("" if listed else " none"))
        for c in listed:
            print(_statement_line("", c, width))
    bridging = payload["group_informed_consensus"]
    print("\ngroup-informed consensus (bridging):" + ("" if bridging else " none"))
    for s in bridging:
        print(_statement_line(f"{s['score']:.2f}", s, width))


def main(argv: list[str]) -> int:
    """Run `cpps deliberate ...`; return the process exit code."""
    arguments = _parser().parse_args(argv)
    return run_reporting_errors(
        "cpps deliberate", partial(_run, arguments), refusals=(DeliberationError,)
    )


def _run(arguments: argparse.Namespace) -> int:
    start = time.perf_counter()
    # The engine's reader checks every file itself, naming file, row and column.
    export = read_polis_export(Path(arguments.export_dir))
    analysis = analyze_conversation(export.conversation, _options(arguments))
    seconds = time.perf_counter() - start
    if arguments.command == "export":
        groups = dict(zip(analysis.participants_in, analysis.group_labels.tolist(), strict=True))
        with writing(Path(arguments.out_dir)):
            write_polis_export(arguments.out_dir, export.conversation, groups, export.summary)
        return 0
    texts = {s.id: s.text for s in export.conversation.statements}
    payload = analysis_json(analysis, texts, seconds, arguments.top)
    if arguments.json:
        print(json.dumps(payload))
    else:
        if isinstance(sys.stdout, io.TextIOWrapper):
            # Statement text in any language prints, even where the terminal's encoding lacks it.
            sys.stdout.reconfigure(errors="replace")
        _print_summary(payload)
    return 0
