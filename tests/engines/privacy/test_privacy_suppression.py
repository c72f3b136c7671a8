"""Small-cell suppression: nothing below k is published, directly or by subtraction, and noisy
releases keep one resident's answer hidden when two tables are compared."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy.optimize import linprog

from cpps.engines.privacy._suppression import (
    SuppressionError,
    add_count_noise,
    suppress_table,
)

DATA = Path(__file__).resolve().parents[3] / "data"


def attacker_bounds(
    published: list[list[int | None]],
) -> dict[tuple[int, int], tuple[float, float]]:
    """Tightest range an attacker can deduce for each withheld cell from the published cells,
    the totals and non-negativity (linear programming over the bordered table)."""
    table = np.array([[np.nan if v is None else v for v in row] for row in published], float)
    rows, columns = table.shape
    # With the totals' signs flipped, every row and column of the bordered table sums to zero.
    signs = np.ones((rows, columns))
    signs[-1, :] *= -1
    signs[:, -1] *= -1
    hidden = np.isnan(table)
    cells = [tuple(cell) for cell in np.argwhere(hidden)]
    if not cells:
        return {}
    lines = [np.eye(rows)[r][:, None] * np.ones(columns) for r in range(rows)]
    lines += [np.ones(rows)[:, None] * np.eye(columns)[c] for c in range(columns)]
    known = np.where(hidden, 0.0, table)
    equations = [[(line * signs)[cell] for cell in cells] for line in lines]
    right = [-float(np.sum(line * signs * known)) for line in lines]
    bounds = {}
    for i, cell in enumerate(cells):
        objective = np.zeros(len(cells))
        objective[i] = 1
        low = linprog(objective, A_eq=equations, b_eq=right, bounds=(0, None), method="highs")
        high = linprog(-objective, A_eq=equations, b_eq=right, bounds=(0, None), method="highs")
        assert low.status == 0
        assert high.status in {0, 3}  # 3: unbounded above, which protects the cell
        bounds[cell] = (low.fun, np.inf if high.status == 3 else -high.fun)
    return bounds


def assert_protected(cells: np.ndarray, threshold: int) -> None:
    result = suppress_table(cells, threshold=threshold)
    published = result.published()
    for row in published:
        for value in row:
            assert value is None or value == 0 or value >= threshold
    for cell, (low, high) in attacker_bounds(published).items():
        if result.primary[cell]:
            assert high - low >= 1 - 1e-9, f"cell {cell} pinned to {low}"


@given(
    arrays(
        np.int64,
        st.tuples(st.integers(1, 5), st.integers(1, 5)),
        elements=st.sampled_from([0, 1, 2, 3, 5, 8, 9, 10, 12, 25, 40, 120]),
    ),
    st.sampled_from([3, 5, 10]),
)
@settings(max_examples=80, deadline=None)
def test_no_count_below_k_is_published_or_recoverable(cells, threshold):
    assert_protected(cells, threshold)


def test_chicago_district_language_table_is_protected():
    """Limited-English residents by police district (ACS), at a threshold that bites."""
    with (DATA / "census" / "chicago_police_district_marginals.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    cells = np.array(
        [
            [
                int(float(row["acs2021_pop5plus_spanish_eng_lt_very_well"])),
                int(float(row["acs2021_pop5plus_other_lang_eng_lt_very_well"])),
            ]
            for row in rows
        ]
    )
    # Scale to survey size: 1 answer per 400 residents, so several district cells are small.
    answers = np.round(cells / 400).astype(np.int64)
    assert ((answers > 0) & (answers < 10)).any()
    assert_protected(answers, threshold=10)


def test_lone_small_cell_takes_a_complementary_cycle():
    result = suppress_table([[3, 20, 30], [25, 40, 12], [15, 15, 50]], threshold=10)
    assert result.primary.sum() == 1
    assert result.suppressed.sum() >= 4
    assert result.published()[3] == [43, 75, 92, 210]


def test_zero_counts_are_published():
    result = suppress_table([[0, 20], [30, 40]], threshold=10)
    assert not result.suppressed.any()


def test_bad_inputs_are_refused():
    with pytest.raises(SuppressionError, match=r"whole-number counts"):
        suppress_table([[0.5, 2.0]])
    with pytest.raises(SuppressionError, match=r"threshold of 1 protects nobody"):
        suppress_table([[1, 2]], threshold=1)
    with pytest.raises(SuppressionError, match=r"Epsilon must be positive"):
        add_count_noise([[1, 2]], epsilon=0, rng=np.random.default_rng(0))


def likeliest_answer(published_row: list[int | None], known_row: np.ndarray, epsilon: float) -> int:
    """The best guess of an attacker who knows every other resident's answer in the group."""
    alpha = np.exp(-epsilon)
    best, best_score = 0, -np.inf
    for answer in range(known_row.size):
        score = 0.0
        for column, value in enumerate(published_row[: known_row.size]):
            if value is None:
                continue
            true = known_row[column] + (column == answer)
            # Two-sided geometric noise clipped at zero: P(0 | c) sums the clipped tail.
            score += (
                np.log(alpha ** (true) / (1 + alpha))
                if value == 0
                else (abs(value - true) * np.log(alpha))
            )
        if score > best_score:
            best, best_score = answer, score
    return best


@pytest.mark.parametrize("epsilon", [0.25, 0.5])
def test_tables_one_resident_apart_do_not_reveal_their_answer(epsilon):
    """An attacker who knows the table without the resident and sees it published with them
    guesses their answer no better than differential privacy allows; without noise the same
    attacker always wins, which is why releases that can be compared must be noised."""
    others = np.array([[14, 22, 31, 18], [40, 12, 25, 33]])
    answers = others.shape[1]
    bound = np.exp(2 * epsilon) / (np.exp(2 * epsilon) + answers - 1)
    rng = np.random.default_rng(2024)
    trials, hits, plain_hits = 2_000, 0, 0
    for trial in range(trials):
        answer = int(rng.integers(answers))
        with_resident = others.copy()
        with_resident[0, answer] += 1
        if trial < 100:
            plain = suppress_table(with_resident).published()
            plain_hits += likeliest_answer(plain[0], others[0], 10.0) == answer
        noisy = suppress_table(add_count_noise(with_resident, epsilon=epsilon, rng=rng))
        hits += likeliest_answer(noisy.published()[0], others[0], epsilon) == answer
    standard_error = np.sqrt(bound * (1 - bound) / trials)
    assert hits / trials <= bound + 3 * standard_error
    assert hits / trials > 1 / answers - 3 * standard_error
    assert plain_hits == 100


def test_noise_is_reproducible_and_unbiased_away_from_zero():
    cells = np.full((50, 40), 100)
    first = add_count_noise(cells, epsilon=0.5, rng=np.random.default_rng(1))
    again = add_count_noise(cells, epsilon=0.5, rng=np.random.default_rng(1))
    np.testing.assert_array_equal(first, again)
    assert abs(first.mean() - 100) < 0.2
    alpha = np.exp(-0.5)
    assert first.var() == pytest.approx(2 * alpha / (1 - alpha) ** 2, rel=0.1)
