"""LEXIMIN on pools with many feature combinations, and on quotas whose relaxation is not exact."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import linprog

from cpps.engines import sortition
from cpps.engines.sortition import Person, Pool, Quota, _leximin
from cpps.engines.sortition._highs import Face, PanelModel
from cpps.engines.sortition._neighbours import round_onto
from cpps.engines.sortition._types import build_type_table


def _skewed_pool(n: int, size: int, values: list[int], seed: int) -> tuple[Pool, tuple[Quota, ...]]:
    """Self-selected respondents: engagement shifts every feature; quotas are shares +-15%."""
    rng = np.random.default_rng(seed)
    shares = [rng.dirichlet(np.full(count, 3.0)) for count in values]
    loadings = [rng.normal(0, 1, count) for count in values]
    engagement = rng.normal(size=n)
    columns = []
    for share, loading in zip(shares, loadings, strict=True):
        logits = np.log(share)[None, :] + 0.8 * engagement[:, None] * loading[None, :]
        weights = np.exp(logits - logits.max(axis=1, keepdims=True))
        cumulative = np.cumsum(weights / weights.sum(axis=1, keepdims=True), axis=1)
        columns.append((rng.random(n)[:, None] > cumulative).sum(axis=1))
    people = tuple(
        Person(id=f"p{i:05d}", features={f"c{c}": f"v{col[i]}" for c, col in enumerate(columns)})
        for i in range(n)
    )
    quotas = []
    for c, share in enumerate(shares):
        for v, fraction in enumerate(share):
            target = fraction * size
            slack = max(1.0, 0.15 * target)
            quotas.append(
                Quota(
                    f"c{c}",
                    f"v{v}",
                    max(int(np.floor(target - slack)), 0),
                    int(np.ceil(target + slack)),
                )
            )
    return Pool(people), tuple(quotas)


def _relaxed_maximin(pool: Pool, quotas: tuple[Quota, ...], size: int) -> float:
    """An upper bound on anyone's lowest probability: max-min over fractional panels (SciPy)."""
    n = len(pool)
    rows = {(q.category, q.value): r for r, q in enumerate(quotas)}
    incidence = np.zeros((len(quotas), n))
    for i, person in enumerate(pool.people):
        for category, value in person.features.items():
            incidence[rows[(category, value)], i] = 1.0
    # Variables: p_1..p_n, z. Maximise z subject to z <= p_i, quotas on sum p, sum p = size.
    objective = np.concatenate([np.zeros(n), [-1.0]])
    level = np.hstack([-np.eye(n), np.ones((n, 1))])
    quota_rows = np.hstack([incidence, np.zeros((len(quotas), 1))])
    result = linprog(
        objective,
        A_ub=np.vstack([level, quota_rows, -quota_rows]),
        b_ub=np.concatenate([np.zeros(n), [q.max for q in quotas], [-q.min for q in quotas]]),
        A_eq=np.concatenate([np.ones(n), [0.0]])[None, :],
        b_eq=[size],
        bounds=[(0, 1)] * n + [(None, None)],
        method="highs",
    )
    assert result.status == 0
    return float(-result.fun)


@pytest.mark.slow
def test_a_skewed_pool_of_700_types_reaches_the_relaxation_bound_with_valid_panels():
    pool, quotas = _skewed_pool(1200, 40, [3, 6, 5, 5, 6], seed=3)
    types = {tuple(sorted(person.features.items())) for person in pool.people}
    assert len(types) >= 700
    distribution = sortition.find_distribution(pool, quotas, 40)
    assert distribution.certified
    assert sum(distribution.panel_probabilities) == pytest.approx(1.0, abs=1e-9)
    assert sum(distribution.probabilities) == pytest.approx(40, abs=1e-6)
    # No distribution over panels can beat the fractional relaxation, so reaching it is optimal.
    bound = _relaxed_maximin(pool, quotas, 40)
    assert distribution.min_probability == pytest.approx(bound, abs=1e-8)
    people = {person.id: person for person in pool.people}
    for composition in distribution.compositions:
        panel = [
            pool.people[index].id
            for t, count in enumerate(composition)
            for index in distribution.type_members[t][:count]
        ]
        assert sortition.panel_meets_quotas(panel, people, quotas, 40)


def _three_rivals() -> tuple[Pool, tuple[Quota, ...]]:
    """a, b, c pairwise share a value allowed once, d shares none; panels of two.

    Fractionally everyone could reach 1/2, but every real panel is d plus one of the others,
    so the LEXIMIN is 1/3, 1/3, 1/3, 1: the relaxation alone is not enough.
    """
    values = {"a": "110", "b": "011", "c": "101", "d": "000"}
    pool = Pool(
        tuple(
            Person(id=key, features={f"c{i}": value[i] for i in range(3)})
            for key, value in values.items()
        )
    )
    quotas = tuple(
        Quota(f"c{i}", value, 0, 1 if value == "1" else 2) for i in range(3) for value in "01"
    )
    return pool, quotas


def test_leximin_below_the_relaxation_is_found_by_cuts(independent_leximin):
    pool, quotas = _three_rivals()
    messages: list[str] = []
    distribution = sortition.find_distribution(
        pool, quotas, 2, progress=lambda stage, fraction, message: messages.append(message)
    )
    assert np.array(distribution.probabilities) == pytest.approx(
        independent_leximin(pool, quotas, 2), abs=1e-9
    )
    assert distribution.probability_of() == pytest.approx(
        {"a": 1 / 3, "b": 1 / 3, "c": 1 / 3, "d": 1}
    )
    assert any(message.startswith("target 2:") for message in messages)


def test_column_generation_takes_over_when_cuts_run_out(monkeypatch):
    monkeypatch.setattr(_leximin, "MAX_CUTS", 0)
    pool, quotas = _three_rivals()
    distribution = sortition.find_distribution(pool, quotas, 2)
    assert distribution.probability_of() == pytest.approx(
        {"a": 1 / 3, "b": 1 / 3, "c": 1 / 3, "d": 1}
    )


def test_greedy_repair_stays_on_its_face_or_gives_up(instance):
    pool, quotas, size = instance("sfscot_22")
    table = build_type_table(pool, quotas)
    panels = PanelModel(table, size)
    everything = Face.everything(table)
    vertex = panels.vertex(np.ones(table.n_types))
    assert vertex is not None
    repaired = round_onto(table, everything, size, vertex)
    assert repaired is not None
    assert panels.is_feasible(repaired)
    # A face that pins every type to a composition breaking the quotas leaves nothing to move.
    pinned = np.zeros(table.n_types, dtype=np.int64)
    pinned[0] = table.counts[0]
    stuck = Face(pinned, pinned, table.lower, table.upper)
    assert round_onto(table, stuck, size, pinned.astype(np.float64)) is None
