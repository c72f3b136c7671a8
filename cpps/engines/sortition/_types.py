"""People with identical feature values are interchangeable: solve over their types.

A type is a set of pool members with the same value in every quota category who share no
household with anyone else in the pool. Every fair allocation this engine computes is symmetric
within a type, so the optimisation runs over `T` types instead of `n` people. Members of a household
with two or more registrants are kept as singleton types so the household rule can be stated.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from cpps.engines.sortition._io import categories_of
from cpps.engines.sortition._model import Pool, PoolError, Quota

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class TypeTable:
    """The problem restated over types.

    Attributes:
        quotas: the quotas, one row of `incidence` each.
        incidence: (quotas x types) 0/1 matrix: does type t have the quota's value.
        counts: pool members per type.
        members: pool indices of each type's members, in pool order.
        households: groups of types (singletons) of which at most one may be selected.
        person_type: the type of each pool member.
    """

    quotas: tuple[Quota, ...]
    incidence: IntArray
    counts: IntArray
    members: tuple[tuple[int, ...], ...]
    households: tuple[tuple[int, ...], ...]
    person_type: IntArray

    @property
    def lower(self) -> IntArray:
        return np.array([quota.min for quota in self.quotas], dtype=np.int64)

    @property
    def upper(self) -> IntArray:
        return np.array([quota.max for quota in self.quotas], dtype=np.int64)

    @property
    def n_types(self) -> int:
        return len(self.counts)


def build_type_table(pool: Pool, quotas: Sequence[Quota]) -> TypeTable:
    """Group the pool into types, checking every person's values against the quotas.

    Raises:
        PoolError: a person lacks a category or has a value with no quota row.
    """
    categories = categories_of(quotas)
    quota_index = {(quota.category, quota.value): row for row, quota in enumerate(quotas)}
    _check_values(pool, categories, quota_index)
    household_sizes: dict[str, int] = defaultdict(int)
    for person in pool.people:
        if person.household is not None:
            household_sizes[person.household] += 1

    keys: dict[tuple[object, ...], int] = {}
    members: list[list[int]] = []
    for index, person in enumerate(pool.people):
        values = tuple(person.features[category] for category in categories)
        shared = person.household is not None and household_sizes[person.household] > 1
        key: tuple[object, ...] = (*values, index) if shared else values
        if key not in keys:
            keys[key] = len(members)
            members.append([])
        members[keys[key]].append(index)

    incidence = np.zeros((len(quotas), len(members)), dtype=np.int64)
    person_type = np.empty(len(pool), dtype=np.int64)
    for t, group in enumerate(members):
        person_type[group] = t
        first = pool.people[group[0]]
        for category in categories:
            incidence[quota_index[(category, first.features[category])], t] = 1

    by_household: dict[str, list[int]] = defaultdict(list)
    for index, person in enumerate(pool.people):
        if person.household is not None and household_sizes[person.household] > 1:
            by_household[person.household].append(int(person_type[index]))
    return TypeTable(
        quotas=tuple(quotas),
        incidence=incidence,
        counts=np.array([len(group) for group in members], dtype=np.int64),
        members=tuple(tuple(group) for group in members),
        households=tuple(tuple(group) for group in by_household.values()),
        person_type=person_type,
    )


def _check_values(
    pool: Pool, categories: Sequence[str], quota_index: dict[tuple[str, str], int]
) -> None:
    unknown: dict[tuple[str, str], list[str]] = defaultdict(list)
    for person in pool.people:
        for category in categories:
            value = person.features.get(category)
            if value is None:
                raise PoolError(f"respondent '{person.id}' has no value for category '{category}'")
            if (category, value) not in quota_index:
                unknown[(category, value)].append(person.id)
    if unknown:
        problems = []
        for (category, value), ids in sorted(unknown.items()):
            known = sorted(v for c, v in quota_index if c == category)
            hint = next((v for v in known if v.casefold() == value.casefold()), None)
            advice = f" (did you mean '{hint}'?)" if hint else f"; known values: {', '.join(known)}"
            shown = ", ".join(ids[:5]) + (" ..." if len(ids) > 5 else "")
            problems.append(
                f"category '{category}' value '{value}' has no quota row, used by {len(ids)} "
                f"respondent(s) ({shown}){advice}"
            )
        raise PoolError("; ".join(problems))
