"""`find_distribution`: the one entry point for every selection algorithm."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence

import numpy as np

from cpps.engines.sortition._legacy import legacy_draw
from cpps.engines.sortition._leximin import solve_fair
from cpps.engines.sortition._model import (
    ALGORITHMS,
    Algorithm,
    Distribution,
    Pool,
    ProgressCallback,
    Quota,
    QuotaError,
    no_progress,
)
from cpps.engines.sortition._types import FloatArray, IntArray, TypeTable
from cpps.engines.sortition._validate import validate


def find_distribution(
    pool: Pool,
    quotas: Sequence[Quota],
    size: int,
    *,
    algorithm: Algorithm = "leximin",
    progress: ProgressCallback = no_progress,
    legacy_draws: int = 10_000,
    seed: int = 0,
) -> Distribution:
    """Compute a distribution over quota-satisfying panels and everyone's selection probability.

    Args:
        pool: the respondents.
        quotas: bounds per category value; every value a respondent has needs a row.
        size: panel size.
        algorithm: "leximin" (the fairest: maximise the lowest probability, then the next, ...;
            exact and the same on every run), "maximin" (only the lowest probability), or "legacy"
            (the empirical distribution of `legacy_draws` greedy draws, seeded by `seed`).
        progress: told of each stage (see `STAGES`) as the computation advances.

    Returns:
        The distribution; every panel in it meets every quota and the probabilities sum to `size`.

    Raises:
        PoolError, QuotaError, InfeasibleQuotasError: see `validate`.
        SolverError: HiGHS failed to certify an optimum, or LEGACY kept getting stuck.
    """
    if algorithm not in ALGORITHMS:
        raise QuotaError(f"unknown algorithm '{algorithm}'; choose one of {', '.join(ALGORITHMS)}")
    start = time.perf_counter()
    progress("validate", None, f"checking {len(pool)} respondents against {len(quotas)} quotas")
    table = validate(pool, quotas, size)
    if algorithm == "legacy":
        columns, weights = _legacy_distribution(table, size, legacy_draws, seed, progress)
        rounds = legacy_draws
    else:
        columns, weights, rounds = solve_fair(
            table, size, maximin_only=algorithm == "maximin", progress=progress
        )
    matrix = np.array(columns, dtype=np.float64)
    type_probability = (weights @ matrix) / table.counts
    return Distribution(
        algorithm=algorithm,
        size=size,
        people_ids=pool.ids,
        probabilities=tuple(float(p) for p in type_probability[table.person_type]),
        compositions=tuple(tuple(int(c) for c in column) for column in columns),
        panel_probabilities=tuple(float(w) for w in weights),
        type_members=table.members,
        seconds=time.perf_counter() - start,
        certified=algorithm != "legacy",
        rounds=rounds,
    )


def _legacy_distribution(
    table: TypeTable, size: int, draws: int, seed: int, progress: ProgressCallback
) -> tuple[list[IntArray], FloatArray]:
    if draws < 1:
        raise QuotaError("LEGACY needs at least one draw")
    rng = np.random.default_rng(seed)
    tally: Counter[bytes] = Counter()
    first: dict[bytes, IntArray] = {}
    step = max(1, draws // 20)
    for draw in range(draws):
        composition = legacy_draw(table, size, rng)
        key = composition.tobytes()
        tally[key] += 1
        first.setdefault(key, composition)
        if (draw + 1) % step == 0:
            progress("panels", (draw + 1) / draws, f"{draw + 1} of {draws} draws")
    keys = list(first)
    return [first[key] for key in keys], np.array([tally[key] / draws for key in keys])
