"""`cpps weight`: rake survey answers to census margins and show who is missing.

    cpps weight rake --sample answers.csv --targets margins.csv [--cap 5] [--out w.csv] [--json]
    cpps weight report --sample answers.csv --targets margins.csv [--threshold 0.8] [--json]
    cpps weight estimate --sample answers.weighted.csv --value safety [--by district,race] [--json]

``answers.csv`` has one row per answer and one column per weighting variable; ``margins.csv``
has the columns ``variable,category,target`` (and optionally ``universe``), one row per census
category. Both run without Django or a database.
"""

from __future__ import annotations

import argparse
import csv
import json
from collections.abc import Sequence
from dataclasses import asdict
from functools import partial
from pathlib import Path

import numpy as np

from cpps.cli.files import InputFileError, read_csv, run_reporting_errors, writing
from cpps.engines.errors import EngineError
from cpps.engines.weighting import (
    Margin,
    RakingResult,
    rake,
    representativeness,
    weighted_means,
    weighted_proportions,
)

_TARGET_COLUMNS = ("variable", "category", "target")


def main(argv: list[str]) -> int:
    """Run one `cpps weight` sub-command; return the process exit code."""
    arguments = _parser().parse_args(argv)
    return run_reporting_errors("cpps weight", partial(_print, arguments), refusals=(EngineError,))


def _print(arguments: argparse.Namespace) -> int:
    output: str = arguments.handler(arguments)
    print(output)
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cpps weight", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    rake_parser = commands.add_parser("rake", help="rake answers to census margins")
    _add_inputs(rake_parser)
    rake_parser.add_argument("--cap", type=float, help="largest weight, times the mean (e.g. 5)")
    rake_parser.add_argument("--floor", type=float, help="smallest weight, times the mean")
    rake_parser.add_argument("--tolerance", type=float, default=1e-6)
    rake_parser.add_argument("--max-iterations", type=int, default=1000)
    rake_parser.add_argument(
        "--rescale", action="store_true", help="rescale margins of different universes to shares"
    )
    rake_parser.add_argument(
        "--out",
        type=Path,
        help="where to write the answers with a weight column (default: <sample>.weighted.csv)",
    )
    rake_parser.add_argument("--weight-column", default="weight")
    rake_parser.set_defaults(handler=_rake)
    report_parser = commands.add_parser("report", help="sample shares against census shares")
    _add_inputs(report_parser)
    report_parser.add_argument(
        "--threshold", type=float, default=0.8, help="flag groups below this share ratio"
    )
    report_parser.add_argument(
        "--weights", dest="weight_column", help="column of weights in the sample, if any"
    )
    report_parser.set_defaults(handler=_report)
    estimate_parser = commands.add_parser(
        "estimate", help="weighted means (or shares) with confidence intervals, by group"
    )
    estimate_parser.add_argument("--sample", type=Path, required=True, help="answers CSV")
    estimate_parser.add_argument("--value", required=True, help="column of numeric answers")
    estimate_parser.add_argument("--weights", dest="weight_column", default="weight")
    estimate_parser.add_argument("--by", default="", help="comma-separated grouping columns")
    estimate_parser.add_argument(
        "--proportion", action="store_true", help="the value column holds 1/0 (yes/no) answers"
    )
    estimate_parser.add_argument("--confidence", type=float, default=0.95)
    estimate_parser.add_argument("--json", action="store_true", help="print JSON")
    estimate_parser.set_defaults(handler=_estimate)
    return parser


def _add_inputs(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--sample", type=Path, required=True, help="answers CSV")
    parser.add_argument("--targets", type=Path, required=True, help="census margins CSV")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")


def _rake(arguments: argparse.Namespace) -> str:
    header, rows = read_csv(arguments.sample)
    margins = read_margins(arguments.targets)
    result = rake(
        _columns(header, rows, margins, arguments.sample),
        margins,
        cap=arguments.cap,
        floor=arguments.floor,
        tolerance=arguments.tolerance,
        max_iterations=arguments.max_iterations,
        rescale_margins=arguments.rescale,
    )
    out = arguments.out or arguments.sample.with_suffix(".weighted.csv")
    _write_weights(out, header, rows, arguments.weight_column, result)
    summary = {
        "answers": result.summary.n,
        "population_total": result.population_total,
        "design_effect": result.summary.design_effect,
        "effective_n": result.summary.effective_n,
        "max_weight": result.summary.max_weight,
        "min_weight": result.summary.min_weight,
        "trimmed": result.trimmed,
        "iterations": result.iterations,
        "converged": result.converged,
        "max_relative_error": result.max_relative_error,
        "weights_file": str(out),
    }
    if arguments.json:
        return json.dumps(summary, indent=2)
    lines = [f"{key.replace('_', ' '):>20}  {_format(value)}" for key, value in summary.items()]
    if not result.converged:
        lines.append("warning: the margins were not all met; raise --max-iterations")
    return "\n".join(lines)


def _report(arguments: argparse.Namespace) -> str:
    header, rows = read_csv(arguments.sample)
    margins = read_margins(arguments.targets)
    weights = None
    if arguments.weight_column:
        weights = _numbers(header, rows, arguments.weight_column, arguments.sample)
    report = representativeness(
        _columns(header, rows, margins, arguments.sample),
        margins,
        threshold=arguments.threshold,
        weights=weights,
    )
    if arguments.json:
        return json.dumps(
            {
                "threshold": report.threshold,
                "rows": [asdict(row) for row in report.rows],
                "alerts": [row.message for row in report.alerts],
            },
            indent=2,
        )
    lines = [
        f"{'variable':<14} {'category':<22} {'answers':>8} {'sample':>7} {'census':>7} "
        f"{'ratio':>6} {'weighted':>8}  status"
    ]
    for row in report.rows:
        weighted = "" if row.weighted_share is None else f"{row.weighted_share:.1%}"
        lines.append(
            f"{row.variable:<14} {row.category:<22} {row.sample_count:>8} "
            f"{row.sample_share:>7.1%} {row.target_share:>7.1%} {row.ratio:>6.2f} "
            f"{weighted:>8}  {row.status}"
        )
    lines += [
        "",
        "Where to do more outreach:" if report.alerts else "No group is under-represented.",
    ]
    lines += [f"  - {row.message}" for row in report.alerts]
    return "\n".join(lines)


def _estimate(arguments: argparse.Namespace) -> str:
    header, rows = read_csv(arguments.sample)
    by_columns = [c.strip() for c in arguments.by.split(",") if c.strip()]
    missing = [c for c in [arguments.value, *by_columns] if c not in header]
    if missing:
        raise InputFileError(f"{arguments.sample} has no column {', '.join(map(repr, missing))}.")
    values = np.array([_number_or_blank(row[arguments.value]) for row in rows])
    weights = _numbers(header, rows, arguments.weight_column, arguments.sample)
    by = {c: [row[c].strip() for row in rows] for c in by_columns}
    estimator = weighted_proportions if arguments.proportion else weighted_means
    estimates = estimator(values, weights, by=by, confidence=arguments.confidence)
    if arguments.json:
        return json.dumps([asdict(e) for e in estimates], indent=2)
    percent = f"{arguments.confidence:.0%}"
    lines = [
        f"{'group':<30} {'answers':>8} {'share':>6} {arguments.value:>10} "
        f"{percent + ' interval':>20} {'deff':>5}"
    ]
    for e in estimates:
        group = "everyone" if e.variable is None else f"{e.variable}={e.group}"
        interval = f"{e.low:.3g} - {e.high:.3g}"
        lines.append(
            f"{group:<30} {e.n:>8} {e.population_share:>6.1%} {e.value:>10.3g} "
            f"{interval:>20} {e.design_effect:>5.2f}"
        )
    return "\n".join(lines)


def _number_or_blank(text: str) -> float:
    """Blank answers are unanswered questions (NaN); anything else must be a number."""
    if not text.strip():
        return float("nan")
    try:
        return float(text)
    except ValueError:
        raise InputFileError(f"the answer '{text}' is not a number.") from None


def read_margins(path: Path) -> list[Margin]:
    """Read ``variable,category,target[,universe]`` rows into margins, in file order."""
    header, rows = read_csv(path)
    missing = [c for c in _TARGET_COLUMNS if c not in header]
    if missing:
        raise InputFileError(
            f"{path} needs the columns variable,category,target (missing: {', '.join(missing)})."
        )
    targets: dict[str, dict[str, float]] = {}
    universes: dict[str, str] = {}
    for line, row in enumerate(rows, start=2):
        try:
            value = float(row["target"])
        except ValueError:
            raise InputFileError(
                f"{path}:{line}: target '{row['target']}' is not a number."
            ) from None
        categories = targets.setdefault(row["variable"], {})
        if row["category"] in categories:
            raise InputFileError(
                f"{path}:{line}: '{row['variable']}' lists '{row['category']}' twice."
            )
        categories[row["category"]] = value
        universes.setdefault(row["variable"], row.get("universe") or "residents")
    if not targets:
        raise InputFileError(f"{path} lists no targets.")
    return [Margin(v, categories, universes[v]) for v, categories in targets.items()]


def _columns(
    header: list[str], rows: list[dict[str, str]], margins: Sequence[Margin], path: Path
) -> dict[str, list[str]]:
    missing = [m.variable for m in margins if m.variable not in header]
    if missing:
        raise InputFileError(
            f"{path} has no column {', '.join(map(repr, missing))} for the census margins "
            f"(columns: {', '.join(header)})."
        )
    return {m.variable: [row[m.variable].strip() for row in rows] for m in margins}


def _numbers(header: list[str], rows: list[dict[str, str]], column: str, path: Path) -> np.ndarray:
    if column not in header:
        raise InputFileError(f"{path} has no column '{column}'.")
    try:
        return np.array([float(row[column]) for row in rows])
    except ValueError:
        raise InputFileError(f"{path}: the column '{column}' must hold numbers.") from None


def _write_weights(
    path: Path, header: list[str], rows: list[dict[str, str]], column: str, result: RakingResult
) -> None:
    with writing(path), path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=[*header, column])
        writer.writeheader()
        for row, weight in zip(rows, result.weights.tolist(), strict=True):
            writer.writerow({**row, column: f"{weight:.10g}"})


def _format(value: object) -> str:
    if isinstance(value, float):
        return f"{value:,.4g}" if abs(value) < 1e4 else f"{value:,.0f}"
    return str(value)
