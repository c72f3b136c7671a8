"""Validation before solving: messages a facilitator can act on, and the smallest quota fix."""

from __future__ import annotations

import csv
import dataclasses
from pathlib import Path

import pytest

from cpps.engines import sortition
from cpps.engines.sortition import Person, Pool, Quota


def _tighten(quotas, value, **bounds):
    return [dataclasses.replace(q, **bounds) if q.value == value else q for q in quotas]


def test_unknown_feature_value_names_the_value_and_suggests_the_spelling(instance):
    pool, quotas, size = instance("sfscot_22")
    people = list(pool.people)
    people[3] = dataclasses.replace(people[3], features={**people[3].features, "Gender": "female"})
    with pytest.raises(sortition.PoolError, match=r"value 'female' has no quota row.*'Female'"):
        sortition.validate(Pool(tuple(people)), quotas, size)


def test_duplicate_ids_are_rejected_when_reading(tmp_path: Path):
    (tmp_path / "people.csv").write_text("id,gender\na,f\nb,m\na,m\n")
    with pytest.raises(sortition.PoolError, match="id 'a' appears twice"):
        sortition.read_pool(tmp_path / "people.csv", categories=["gender"])


def test_min_above_available_names_the_quota_and_the_count(instance):
    pool, quotas, size = instance("sfscot_22")
    available = sum(p.features["age_bracket"] == "16-29" for p in pool.people)
    tight = _tighten(quotas, "16-29", min=available + 3, max=available + 3)
    with pytest.raises(sortition.InfeasibleQuotasError) as caught:
        sortition.validate(pool, tight, size)
    message = str(caught.value)
    assert (
        f"category 'age_bracket' value '16-29': min {available + 3} but only {available}" in message
    )
    assert "lower the min of category 'age_bracket' value '16-29'" in message


def test_relaxation_is_the_smallest_change_that_makes_a_panel_possible(instance):
    pool, quotas, size = instance("sfscot_22")
    # Forcing 14 people of 'Level 1' contradicts the other education minimums (5+5+5).
    tight = _tighten(quotas, "Level 1", min=14, max=14)
    with pytest.raises(sortition.InfeasibleQuotasError) as caught:
        sortition.validate(pool, tight, size)
    relaxations = caught.value.relaxations
    total = sum(abs(r.suggested - r.current) for r in relaxations)
    # 14 + 3 * 5 = 29 seats of education for a panel of 22: at least 7 must go.
    assert total == 7
    fixed = list(tight)
    for relaxation in relaxations:
        fixed = [
            dataclasses.replace(q, **{relaxation.bound: relaxation.suggested})
            if (q.category, q.value) == (relaxation.category, relaxation.value)
            else q
            for q in fixed
        ]
    sortition.validate(pool, fixed, size)
    assert sortition.relax_quotas(pool, fixed, size) == ()


def test_min_greater_than_max_is_a_quota_error(instance):
    pool, quotas, size = instance("sfscot_22")
    with pytest.raises(sortition.QuotaError, match="min 7 and max 6"):
        sortition.validate(pool, _tighten(quotas, "Level 1", min=7, max=6), size)


def test_panel_larger_than_pool_is_rejected(instance):
    pool, quotas, _ = instance("sfscot_22")
    with pytest.raises(sortition.QuotaError, match="pool of 150"):
        sortition.validate(pool, quotas, 151)


def test_sortition_foundation_format_reads_the_same_quotas(tmp_path: Path, instance):
    pool, quotas, _size = instance("sfscot_22")
    with (tmp_path / "features.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["feature", "value", "min", "max", "min_flex", "max_flex"])
        writer.writerows([q.category, q.value, q.min, q.max, 0, 99] for q in quotas)
    with (tmp_path / "people.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        categories = sortition.categories_of(quotas)
        writer.writerow(["nationbuilder_id", "first_name", *categories, "address", "postcode"])
        writer.writerows(
            [f"nb{p.id}", "x", *(p.features[c] for c in categories), f"{p.id} Road", "EH1"]
            for p in pool.people
        )
    read = sortition.read_quotas(tmp_path / "features.csv")
    assert read == quotas
    people = sortition.read_pool(
        tmp_path / "people.csv",
        categories=categories,
        household_columns=["address", "postcode"],
    )
    assert people.ids[0] == "nb0"
    assert people.people[0].household == "0 Road|EH1"
    assert [p.features for p in people.people] == [p.features for p in pool.people]


def _household_pool() -> tuple[Pool, tuple[Quota, ...]]:
    people = tuple(
        Person(id=f"p{i}", features={"g": "a" if i % 2 else "b"}, household=household)
        for i, household in enumerate(["h1", "h1", "h1", "h2", None, None])
    )
    quotas = (Quota("g", "a", 1, 2), Quota("g", "b", 1, 2))
    return Pool(people), quotas


def test_household_members_are_never_on_the_same_panel(independent_leximin):
    pool, quotas = _household_pool()
    distribution = sortition.find_distribution(pool, quotas, 3)
    for composition in distribution.compositions:
        household_one = [
            index
            for t, count in enumerate(composition)
            for index in distribution.type_members[t][:count]
            if pool.people[index].household == "h1"
        ]
        assert len(household_one) <= 1
    expected = independent_leximin(pool, quotas, 3)
    assert sorted(distribution.probabilities) == pytest.approx(sorted(expected), abs=1e-6)


def test_households_can_make_quotas_infeasible():
    pool, quotas = _household_pool()
    with pytest.raises(sortition.InfeasibleQuotasError, match="no panel of 5"):
        sortition.validate(pool, quotas, 5)
