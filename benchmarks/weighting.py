"""Raking benchmark: cpps.engines.weighting against weightipy, balance and a bare NumPy IPF.

Inputs: (1) Chicago's real census margins (adults by age x sex, residents by race/ethnicity,
adults by police district, from data/census) with a biased sample of answers; (2) synthetic
samples of 10,000 / 100,000 / 1,000,000 answers on five margins (age 6 levels, sex 2,
race/ethnicity 5, tenure 2, area 23) drawn with a response bias.

Times are the best of several runs from integer-coded answers (what every tool gets), excluding
DataFrame construction. "ours full" includes weight trimming (cap 5 x mean), the weights summary
and the representativeness report; "code" is our one-off encoding of text labels.

    .venv/bin/python benchmarks/weighting.py [--quick]
"""

from __future__ import annotations

import argparse
import csv
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from cpps.engines.weighting import CodedSample, Margin, code_sample, rake, representativeness

DATA = Path(__file__).resolve().parents[1] / "data"
LEVELS = {"age": 6, "sex": 2, "race": 5, "tenure": 2, "area": 23}
TOLERANCE = 1e-8


def bare_numpy_ipf(codes: list[np.ndarray], targets: list[np.ndarray], tol: float) -> np.ndarray:
    """Textbook IPF on every answer: the 30-line baseline."""
    weights = np.ones(codes[0].size)
    for _ in range(1000):
        for code, target in zip(codes, targets, strict=True):
            current = np.bincount(code, weights=weights, minlength=target.size)
            weights *= (target / current)[code]
        error = max(
            float(np.max(np.abs(np.bincount(c, weights=weights, minlength=t.size) / t - 1)))
            for c, t in zip(codes, targets, strict=True)
        )
        if error < tol:
            break
    return weights / weights.mean()


def synthetic(n: int, seed: int) -> tuple[dict[str, np.ndarray], list[Margin]]:
    """Answers whose margins are tilted away from census-like targets."""
    rng = np.random.default_rng(seed)
    target_rng = np.random.default_rng(0)
    columns, margins = {}, []
    for variable, size in LEVELS.items():
        shares = target_rng.dirichlet(np.full(size, 4.0))
        tilt = shares * np.exp(target_rng.normal(0, 0.45, size))
        columns[variable] = rng.choice(size, size=n, p=tilt / tilt.sum())
        margins.append(Margin(variable, {str(k): float(s) for k, s in enumerate(shares)}))
    return columns, margins


def chicago(n: int, seed: int) -> tuple[dict[str, np.ndarray], list[Margin]]:
    """Real census margins by police district, and answers drawn with a bias."""
    with (DATA / "census" / "chicago_police_district_marginals.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    bands = ("18_24", "25_34", "35_44", "45_54", "55_64", "65_plus")
    age_sex = {
        f"{s}_{b}": sum(float(r[f"dhc2020_{s}_{b}"]) for r in rows) for s in "FM" for b in bands
    }
    race_columns = {
        "hispanic": ["pl2020_hispanic_latino"],
        "white": ["pl2020_nh_white_alone"],
        "black": ["pl2020_nh_black_alone"],
        "asian": ["pl2020_nh_asian_alone"],
        "other": [
            "pl2020_nh_aian_alone",
            "pl2020_nh_nhpi_alone",
            "pl2020_nh_other_alone",
            "pl2020_nh_two_or_more",
        ],
    }
    race = {k: sum(float(r[c]) for r in rows for c in cols) for k, cols in race_columns.items()}
    district = {
        r["police_district"]: sum(float(r[f"dhc2020_{s}_{b}"]) for s in "FM" for b in bands)
        for r in rows
    }
    margins = []
    for variable, targets in (("age_sex", age_sex), ("race", race), ("district", district)):
        total = sum(targets.values())
        margins.append(Margin(variable, {k: v / total for k, v in targets.items()}))
    rng = np.random.default_rng(seed)
    columns = {}
    for margin in margins:
        shares = np.array(list(margin.targets.values()))
        tilt = shares * np.exp(rng.normal(0, 0.45, shares.size))
        columns[margin.variable] = rng.choice(len(shares), size=n, p=tilt / tilt.sum())
    return columns, margins


def best_time(function: Callable[[], object], repeats: int) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - start)
    return best, result


def run_weightipy(
    columns: dict[str, np.ndarray], margins: list[Margin]
) -> Callable[[], np.ndarray] | None:
    try:
        import pandas as pd  # noqa: PLC0415
        import weightipy  # noqa: PLC0415
    except ImportError:
        return None
    frame = pd.DataFrame(columns)
    scheme = weightipy.scheme_from_dict(
        {m.variable: {i: 100 * v for i, v in enumerate(m.targets.values())} for m in margins},
        rim_params={"convcrit": 1e-9, "max_iterations": 1000},
    )

    def run() -> np.ndarray:
        return weightipy.weight_dataframe(frame, scheme, weight_column="w")["w"].to_numpy()

    return run


def run_balance(
    columns: dict[str, np.ndarray], margins: list[Margin]
) -> Callable[[], np.ndarray] | None:
    try:
        import logging  # noqa: PLC0415

        import pandas as pd  # noqa: PLC0415
        from balance.weighting_methods.rake import rake as balance_rake  # noqa: PLC0415
    except ImportError:
        return None
    logging.getLogger("balance").setLevel(logging.ERROR)
    # Zero-padded text labels: balance sorts categories, and must sort them the same way in both.
    sample = pd.DataFrame({v: np.char.zfill(c.astype(str), 2) for v, c in columns.items()})
    # balance takes the target as a weighted population table; the product of the margins'
    # shares over every joint cell has exactly the census margins.
    grids = np.meshgrid(*(np.arange(len(m.targets)) for m in margins), indexing="ij")
    target = pd.DataFrame(
        {
            m.variable: np.char.zfill(g.ravel().astype(str), 2)
            for m, g in zip(margins, grids, strict=True)
        }
    )
    weight = np.ones(grids[0].size)
    for m, g in zip(margins, grids, strict=True):
        weight *= np.array(list(m.targets.values()))[g.ravel()]

    def run() -> np.ndarray:
        result = balance_rake(
            sample,
            pd.Series(np.ones(len(sample))),
            target,
            pd.Series(weight),
            transformations=None,  # the default lumps rare categories together
            max_iteration=1000,
            convergence_rate=1e-10,
            rate_tolerance=1e-14,
        )
        weights = result["weight"].sort_index().to_numpy()
        return weights / weights.mean()

    return run


def benchmark(
    name: str, columns: dict[str, np.ndarray], margins: list[Margin], repeats: int
) -> list[str]:
    n = len(next(iter(columns.values())))
    labels = (
        {m.variable: np.array(list(m.targets))[columns[m.variable]] for m in margins}
        if n <= 100_000
        else None
    )
    coded = CodedSample(
        n=n,
        codes={v: c.astype(np.int64) for v, c in columns.items()},
        categories={m.variable: tuple(m.targets) for m in margins},
    )
    codes = [coded.codes[m.variable] for m in margins]
    targets = [np.array(list(m.targets.values())) * n for m in margins]

    def ours_full() -> object:
        result = rake(coded, margins, cap=5.0, tolerance=TOLERANCE)
        representativeness(coded, margins, weights=result.weights)
        return result

    t_bare, bare = best_time(lambda: bare_numpy_ipf(codes, targets, TOLERANCE), repeats)
    t_ours, ours = best_time(lambda: rake(coded, margins, tolerance=TOLERANCE), repeats)
    t_full, full = best_time(ours_full, repeats)
    tight = rake(coded, margins, tolerance=1e-12, max_iterations=5000)
    t_code = best_time(lambda: code_sample(labels, margins), 1)[0] if labels else float("nan")
    cells = [
        name,
        f"{n:,}",
        f"{t_bare:.3f}",
        f"{t_ours:.3f}",
        f"{t_full:.3f}",
        f"{t_full / t_bare:.2f}",
        f"{t_code:.3f}" if labels else "-",
    ]
    for runner in (run_weightipy(columns, margins), run_balance(columns, margins)):
        if runner is None:
            cells += ["n/a", "n/a"]
            continue
        t_theirs, theirs = best_time(runner, repeats)
        cells += [f"{t_theirs:.3f}", f"{np.max(np.abs(np.asarray(theirs) - tight.weights)):.1e}"]
    cells += [
        f"{np.max(np.abs(bare - ours.weights)):.1e}",  # type: ignore[attr-defined]
        f"{tight.summary.design_effect:.2f}",
        f"{full.summary.max_weight:.2f}",  # type: ignore[attr-defined]
    ]
    return cells


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small samples, one run each")
    arguments = parser.parse_args()
    sizes = (10_000, 100_000) if arguments.quick else (10_000, 100_000, 1_000_000)
    repeats = 1 if arguments.quick else 3
    header = [
        "input",
        "answers",
        "bare s",
        "ours s",
        "ours full s",
        "full/bare",
        "code s",
        "weightipy s",
        "|ours-wpy|",
        "balance s",
        "|ours-bal|",
        "|ours-bare|",
        "deff",
        "max w (cap 5)",
    ]
    rows = [benchmark("chicago census", *chicago(20_000, seed=1), repeats)]
    rows += [benchmark("synthetic x5", *synthetic(n, seed=n), repeats) for n in sizes]
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        print("  ".join(str(cell).rjust(width) for cell, width in zip(row, widths, strict=True)))
    print(
        "\n|ours-X| = largest difference between weights (mean 1) of ours at tolerance 1e-12 and X;"
        "\nfull = raking with cap 5 + summary + representativeness report."
    )


if __name__ == "__main__":
    main()
