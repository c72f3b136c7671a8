"""`cpps panel`: selection probabilities, verifiable draws and their verification, on files.

    cpps panel probabilities --categories C.csv --respondents R.csv --size K
                             [--algorithm leximin|maximin|legacy] [--json]
    cpps panel select --categories C.csv --respondents R.csv --size K --seed-text TEXT
                      [--randomness-source TEXT] [--panels M] [--out DIR] [--withdraw ID ...]
                      [--json]
    cpps panel verify DIR [--json]

Exit codes: 0 success, 1 a transcript does not verify, 2 unusable input.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from functools import partial
from pathlib import Path

from cpps.cli.files import readable_csv, readable_csv_files, run_reporting_errors, writing
from cpps.engines import sortition
from cpps.engines.sortition import Algorithm, Distribution, Pool, Quota


def main(argv: list[str]) -> int:
    """Run one `cpps panel` sub-command and return its exit code."""
    arguments = _parser().parse_args(argv)
    return run_reporting_errors(
        "cpps panel", partial(_run, arguments), refusals=(sortition.SortitionError,)
    )


def _run(arguments: argparse.Namespace) -> int:
    try:
        result: int = arguments.handler(arguments)
    except sortition.TranscriptError as error:
        print(f"cpps panel: transcript does not verify: {error}", file=sys.stderr)
        return 1
    return result


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cpps panel", description="Fair selection of panels by lot."
    )
    commands = parser.add_subparsers(dest="command", required=True)

    probabilities = commands.add_parser(
        "probabilities", help="everyone's selection probability under an algorithm"
    )
    _add_inputs(probabilities)
    probabilities.set_defaults(handler=_probabilities)

    select = commands.add_parser("select", help="draw a panel verifiably from public randomness")
    _add_inputs(select)
    select.add_argument("--seed-text", required=True, help="the public randomness, as published")
    select.add_argument(
        "--randomness-source",
        default="",
        help="where the public randomness comes from (committed before it is known)",
    )
    select.add_argument("--panels", type=int, default=1000, help="panels in the lottery (m)")
    select.add_argument("--withdraw", nargs="*", default=[], help="ids of members to replace")
    select.add_argument("--out", type=Path, help="write the transcript to this directory")
    select.set_defaults(handler=_select)

    verify = commands.add_parser("verify", help="re-derive a published draw from its transcript")
    verify.add_argument("directory", type=Path)
    verify.add_argument("--json", action="store_true", help="print a JSON object")
    verify.set_defaults(handler=_verify)
    return parser


def _add_inputs(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--categories",
        type=Path,
        required=True,
        help="quotas: category,feature,min,max or feature,value,min,max",
    )
    parser.add_argument("--respondents", type=Path, required=True, help="one column per category")
    parser.add_argument("--size", type=int, required=True, help="panel size")
    parser.add_argument("--algorithm", choices=sortition.ALGORITHMS, default="leximin")
    parser.add_argument("--id-column", help="column with unique ids (default: id, else row number)")
    parser.add_argument(
        "--household-column",
        action="append",
        default=[],
        help="column(s) identifying a household; repeat for several",
    )
    parser.add_argument("--legacy-draws", type=int, default=10_000, help="draws for LEGACY")
    parser.add_argument("--legacy-seed", type=int, default=0, help="random seed for LEGACY")
    parser.add_argument("--progress", action="store_true", help="report progress on stderr")
    parser.add_argument("--json", action="store_true", help="print a JSON object")


def _load(arguments: argparse.Namespace) -> tuple[Pool, tuple[Quota, ...]]:
    quotas = sortition.read_quotas(readable_csv(arguments.categories))
    pool = sortition.read_pool(
        readable_csv(arguments.respondents),
        categories=sortition.categories_of(quotas),
        id_column=arguments.id_column,
        household_columns=arguments.household_column,
    )
    return pool, quotas


def _report_progress(stage: str, fraction: float | None, message: str) -> None:
    share = "" if fraction is None else f" {fraction:.0%}"
    print(f"[{stage}{share}] {message}", file=sys.stderr)


def _distribution(
    arguments: argparse.Namespace, pool: Pool, quotas: Sequence[Quota]
) -> Distribution:
    algorithm: Algorithm = arguments.algorithm
    return sortition.find_distribution(
        pool,
        quotas,
        arguments.size,
        algorithm=algorithm,
        progress=_report_progress if arguments.progress else sortition.no_progress,
        legacy_draws=arguments.legacy_draws,
        seed=arguments.legacy_seed,
    )


def _summary(distribution: Distribution) -> dict[str, object]:
    return {
        "algorithm": distribution.algorithm,
        "size": distribution.size,
        "pool_size": len(distribution.people_ids),
        "min_probability": distribution.min_probability,
        "max_probability": distribution.max_probability,
        "support_size": distribution.support_size,
        "seconds": round(distribution.seconds, 3),
        "certified_optimal": distribution.certified,
    }


def _probabilities(arguments: argparse.Namespace) -> int:
    pool, quotas = _load(arguments)
    distribution = _distribution(arguments, pool, quotas)
    summary = _summary(distribution)
    if arguments.json:
        people = [
            {"id": person, "probability": probability}
            for person, probability in zip(
                distribution.people_ids, distribution.probabilities, strict=True
            )
        ]
        print(json.dumps({**summary, "people": people}))
        return 0
    for key, value in summary.items():
        print(f"{key}: {value}")
    return 0


def _select(arguments: argparse.Namespace) -> int:
    pool, quotas = _load(arguments)
    distribution = _distribution(arguments, pool, quotas)
    lottery = sortition.round_to_lottery(distribution, arguments.panels)
    commitment = sortition.commit(
        pool,
        quotas,
        arguments.size,
        algorithm=arguments.algorithm,
        randomness_source=arguments.randomness_source,
        lottery=lottery,
    )
    draw = sortition.draw_panel(lottery, commitment, arguments.seed_text)
    if arguments.withdraw:
        draw = sortition.replace_withdrawn(draw, arguments.withdraw, pool, quotas)
    if arguments.out is not None:
        with writing(arguments.out):
            sortition.write_transcript(
                arguments.out,
                pool=pool,
                quotas=quotas,
                commitment=commitment,
                lottery=lottery,
                draw=draw,
                probabilities=distribution.probabilities,
            )
    result = {
        **_summary(distribution),
        "commitment_sha256": commitment.digest,
        "seed": draw.seed,
        "lottery_panels": len(lottery.panels),
        "lottery_index": draw.index,
        "lottery_min_probability": lottery.min_probability,
        "lottery_loss": lottery.loss,
        "panel": list(draw.panel),
        "alternates": list(draw.alternates),
        "replacements": [list(pair) for pair in draw.replacements],
    }
    if arguments.json:
        print(json.dumps(result))
        return 0
    print(f"commitment: {commitment.digest}")
    print(f"lottery panel {draw.index} of {len(lottery.panels)} (seed {draw.seed})")
    print("panel: " + ", ".join(draw.panel))
    print("first alternates: " + ", ".join(draw.alternates[:10]))
    for withdrawn, replacement in draw.replacements:
        print(f"replaced {withdrawn} with {replacement}")
    return 0


def _verify(arguments: argparse.Namespace) -> int:
    folder = readable_csv_files(
        arguments.directory, ("categories.csv", "respondents.csv", "probabilities.csv")
    )
    verification = sortition.verify_transcript(folder)
    if arguments.json:
        print(
            json.dumps(
                {
                    "verified": True,
                    "commitment_sha256": verification.commitment_digest,
                    "lottery_index": verification.index,
                    "lottery_panels": verification.lottery_panels,
                    "panel": list(verification.panel),
                    "min_probability": verification.min_probability,
                    "max_probability": verification.max_probability,
                }
            )
        )
        return 0
    print(
        f"verified: commitment {verification.commitment_digest}, lottery panel "
        f"{verification.index} of {verification.lottery_panels}"
    )
    print("panel: " + ", ".join(verification.panel))
    return 0
