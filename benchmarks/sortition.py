"""Benchmark: our sortition engine against the Sortition Foundation's `sortition-algorithms`.

Runs every instance in `data/sortition/` plus generated pools (uniform and skewed by
self-selection; 2,000 people / 200 seats with 4, 5 and 6 quota categories and 650-1,200
distinct feature combinations, two seeds each) through:

* ours: LEXIMIN (exact, certified), MAXIMIN, LEGACY (N draws);
* theirs (`sortition-algorithms`, PyPI, HiGHS backend): what its LEXIMIN entry point actually runs
  (without Gurobi it silently switches to MAXIMIN; the table says which), and its LEGACY sampler.

Each baseline run happens in a child process with a time limit so a slow run cannot stall the
table. Usage: `python benchmarks/sortition.py [--quick] [--timeout SECONDS]`.
"""

from __future__ import annotations

import argparse
import logging
import multiprocessing
import os
import queue
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cpps.engines import sortition
from cpps.engines.sortition import Person, Pool, Quota

DATA = Path(__file__).resolve().parents[1] / "data" / "sortition"


@dataclass(frozen=True)
class Instance:
    name: str
    pool: Pool
    quotas: tuple[Quota, ...]
    size: int


def real_instances() -> list[Instance]:
    instances = []
    for folder in sorted(DATA.iterdir()):
        if not (folder / "respondents.csv").is_file():
            continue
        quotas = sortition.read_quotas(folder / "categories.csv")
        pool = sortition.read_pool(
            folder / "respondents.csv", categories=sortition.categories_of(quotas)
        )
        instances.append(Instance(folder.name, pool, quotas, int(folder.name.rsplit("_", 1)[1])))
    return instances


def generated_instance(
    name: str, n: int, size: int, value_counts: list[int], *, skew: float, seed: int
) -> Instance:
    """A pool drawn from a population with correlated features, then self-selected.

    Quotas are the population shares of each value times the panel size, +-15% (at least +-1).
    With `skew` > 0 the chance of registering grows with a latent civic-engagement score that
    also shifts people's values, so some groups are over- and others under-represented in the
    pool: the situation real sortition pools are in.
    """
    rng = np.random.default_rng(seed)
    shares = [rng.dirichlet(np.full(count, 3.0)) for count in value_counts]
    loadings = [rng.normal(0, 1, count) for count in value_counts]
    people: list[Person] = []
    while len(people) < n:
        engagement = rng.normal()
        values = []
        for share, loading in zip(shares, loadings, strict=True):
            logits = np.log(share) + 0.8 * loading * engagement
            probabilities = np.exp(logits - logits.max())
            values.append(int(rng.choice(len(share), p=probabilities / probabilities.sum())))
        if rng.random() > 1 / (1 + np.exp(-skew * engagement)):
            continue
        people.append(
            Person(
                id=f"p{len(people):05d}",
                features={f"c{c}": f"v{v}" for c, v in enumerate(values)},
            )
        )
    quotas = []
    for c, share in enumerate(shares):
        for v, fraction in enumerate(share):
            target = fraction * size
            slack = max(1.0, 0.15 * target)
            low, high = int(np.floor(target - slack)), int(np.ceil(target + slack))
            quotas.append(Quota(f"c{c}", f"v{v}", max(low, 0), high))
    return Instance(name, Pool(tuple(people)), tuple(quotas), size)


def generated_instances(quick: bool) -> list[Instance]:
    """Two 400-person pools, then skewed 2,000-person / 200-seat pools with 4, 5 and 6 categories.

    The large pools have enough values per category that self-selection leaves several hundred
    to about a thousand distinct feature combinations, as real pools do; two seeds each.
    """
    specs: list[tuple[str, int, int, list[int], float, int]] = [
        ("uniform_400_40", 400, 40, [2, 4, 3, 5], 0.0, 0),
        ("skewed_400_40", 400, 40, [2, 5, 4, 4, 3], 1.5, 1),
    ]
    if not quick:
        for seed in (11, 12):
            specs += [
                (f"skewed_2000_c4_s{seed}", 2000, 200, [3, 8, 6, 7], 1.5, seed),
                (f"skewed_2000_c5_s{seed}", 2000, 200, [2, 6, 5, 4, 6], 1.5, seed),
                (f"skewed_2000_c6_s{seed}", 2000, 200, [2, 5, 4, 5, 3, 6], 2.0, seed),
            ]
    return [
        generated_instance(name, n, k, values, skew=skew, seed=seed)
        for name, n, k, values, skew, seed in specs
    ]


def distinct_types(instance: Instance) -> int:
    return len({tuple(sorted(p.features.items())) for p in instance.pool.people})


# --- the baseline, in a child process ------------------------------------------------------


def _their_inputs(instance: Instance) -> tuple[Any, Any]:
    from sortition_algorithms.features import read_in_features  # noqa: PLC0415
    from sortition_algorithms.people import read_in_people  # noqa: PLC0415
    from sortition_algorithms.settings import Settings  # noqa: PLC0415

    rows = [
        {"feature": q.category, "value": q.value, "min": str(q.min), "max": str(q.max)}
        for q in instance.quotas
    ]
    features, _, _ = read_in_features(["feature", "value", "min", "max"], rows, instance.size)
    categories = sortition.categories_of(instance.quotas)
    settings = Settings(id_column="id", columns_to_keep=[])
    body = [{"id": p.id, **p.features} for p in instance.pool.people]
    people, _ = read_in_people(["id", *categories], body, features, settings)
    return features, people


def _their_fair(instance: Instance) -> dict[str, object]:
    from sortition_algorithms.committee_generation import (  # noqa: PLC0415
        GUROBI_AVAILABLE,
        find_distribution_leximin,
        find_distribution_maximin,
    )

    features, people = _their_inputs(instance)
    start = time.perf_counter()
    # Mirrors `find_random_sample(selection_algorithm="leximin")`, which switches to MAXIMIN
    # when Gurobi is missing.
    if GUROBI_AVAILABLE:
        ran = "leximin"
        committees, probabilities, _ = find_distribution_leximin(
            features, people, instance.size, []
        )
    else:
        ran = "maximin (no Gurobi)"
        committees, probabilities, _ = find_distribution_maximin(
            features, people, instance.size, []
        )
    seconds = time.perf_counter() - start
    marginal: Counter[str] = Counter()
    for committee, probability in zip(committees, probabilities, strict=True):
        for person in committee:
            marginal[person] += probability
    low = min(marginal.get(p.id, 0.0) for p in instance.pool.people)
    return {"ran": ran, "seconds": seconds, "min": low}


def _their_legacy(instance: Instance, draws: int, budget: float) -> dict[str, object]:
    from sortition_algorithms.committee_generation import find_random_sample_legacy  # noqa: PLC0415

    features, people = _their_inputs(instance)
    start = time.perf_counter()
    seats: Counter[str] = Counter()
    done = 0
    while done < draws and time.perf_counter() - start < budget:
        [committee], _ = find_random_sample_legacy(
            people, features, instance.size, [], max_attempts=100
        )
        seats.update(committee)
        done += 1
    seconds = time.perf_counter() - start
    return {"draws": done, "seconds": seconds, "per_draw": seconds / max(done, 1)}


def _child(target: Callable[..., dict[str, object]], args: tuple[Any, ...], out: Any) -> None:
    # The baseline logs every step; keep the table readable.
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    os.dup2(null, 2)
    logging.disable(logging.CRITICAL)
    try:
        out.put(target(*args))
    except Exception as error:  # the table reports any baseline failure
        out.put({"error": f"{type(error).__name__}: {error}"[:60]})


def run_limited(
    target: Callable[..., dict[str, object]], args: tuple[Any, ...], timeout: float
) -> dict[str, object]:
    context = multiprocessing.get_context("fork")
    out = context.Queue()
    process = context.Process(target=_child, args=(target, args, out))
    process.start()
    try:
        result: dict[str, object] = out.get(timeout=timeout)
    except queue.Empty:
        result = {"error": f"timed out at {timeout:.0f} s"}
    process.join(timeout=5)
    if process.is_alive():
        process.kill()
        process.join()
    return result


# --- ours ----------------------------------------------------------------------------------


def _ours(instance: Instance, algorithm: str, draws: int) -> dict[str, object]:
    start = time.perf_counter()
    distribution = sortition.find_distribution(
        instance.pool,
        instance.quotas,
        instance.size,
        algorithm=algorithm,  # type: ignore[arg-type]
        legacy_draws=draws,
    )
    return {"seconds": time.perf_counter() - start, "min": distribution.min_probability}


def ours(instance: Instance, algorithm: str, draws: int, timeout: float) -> tuple[str, str]:
    """(seconds, min probability) as table cells, run in a child process with a time limit."""
    result = run_limited(_ours, (instance, algorithm, draws), timeout)
    if "error" in result:
        return f">{timeout:.0f}", "-"
    return f"{result['seconds']:.2f}", f"{result['min']:.4f}"


def _per_draw(seconds: str, draws: int) -> str:
    return seconds if seconds.startswith(">") else f"{1000 * float(seconds) / draws:.1f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer and smaller instances")
    parser.add_argument("--timeout", type=float, default=None, help="seconds per baseline run")
    parser.add_argument(
        "--ours-timeout", type=float, default=600.0, help="seconds per run of our engine"
    )
    arguments = parser.parse_args()
    timeout = arguments.timeout or (60.0 if arguments.quick else 300.0)
    draws = 200 if arguments.quick else 1000
    instances = real_instances() + generated_instances(arguments.quick)

    header = (
        f"{'instance':<20} {'n':>5} {'k':>4} {'types':>5} | {'ours LEXIMIN s':>14} "
        f"{'min':>8} | {'theirs ran':<20} {'s':>8} {'min':>8} | {'speed-up':>8} | "
        f"{'LEGACY ours ms/draw':>19} {'theirs ms/draw':>14} {'ours min':>8}"
    )
    print(header)
    print("-" * len(header))
    for instance in instances:
        lex_seconds, lex_min = ours(instance, "leximin", draws, arguments.ours_timeout)
        theirs = run_limited(_their_fair, (instance,), timeout)
        leg_seconds, leg_min = ours(instance, "legacy", draws, arguments.ours_timeout)
        their_legacy = run_limited(_their_legacy, (instance, draws, timeout / 2), timeout)
        if "error" in theirs:
            ran, their_s, their_min, speedup = str(theirs["error"]), "-", "-", "-"
        else:
            ran = str(theirs["ran"])
            their_s = f"{theirs['seconds']:.2f}"
            their_min = f"{theirs['min']:.4f}"
            speedup = "-"
            if not lex_seconds.startswith(">"):
                speedup = f"{float(theirs['seconds']) / float(lex_seconds):.1f}x"  # type: ignore[arg-type]
        if "error" in their_legacy:
            their_legacy_ms = "failed"
        else:
            their_legacy_ms = f"{1000 * float(their_legacy['per_draw']):.1f}"  # type: ignore[arg-type]
            if int(their_legacy["draws"]) < draws:  # type: ignore[call-overload]
                their_legacy_ms += f" ({their_legacy['draws']} done)"
        print(
            f"{instance.name:<20} {len(instance.pool):>5} {instance.size:>4} "
            f"{distinct_types(instance):>5} | {lex_seconds:>14} {lex_min:>8} | "
            f"{ran[:20]:<20} {their_s:>8} {their_min:>8} | {speedup:>8} | "
            f"{_per_draw(leg_seconds, draws):>19} {their_legacy_ms:>14} {leg_min:>8}",
            flush=True,
        )
    print(
        f"\nLEXIMIN: ours exact (the LEXIMIN of a relaxation of the panel polytope, written "
        f"exactly as a distribution over feasible panels); 'min' = lowest selection probability. "
        f"LEGACY: {draws} draws each; 'ours min' is the empirical minimum."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
