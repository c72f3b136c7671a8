"""The two CSV dialects of the field: replication-repo and Sortition Foundation."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TextIO

from cpps.engines.sortition._model import Person, Pool, PoolError, Quota, QuotaError

# Sortition Foundation exports name their id column after the CRM they come from.
ID_COLUMN_CANDIDATES = ("id", "person_id", "nationbuilder_id", "external_id")


def parse_quotas(rows: Iterable[Mapping[str, str]]) -> tuple[Quota, ...]:
    """Read quota rows of either dialect.

    Accepts `category,feature,min,max` (replication repo) or `feature,value,min,max` (Sortition
    Foundation `features.csv`; extra columns such as `min_flex` are ignored).

    Raises:
        QuotaError: a column is missing, a bound is not a whole number, or a row repeats.
    """
    quotas: list[Quota] = []
    seen: set[tuple[str, str]] = set()
    for line, row in enumerate(rows, start=2):
        if "category" in row:
            category, value = row.get("category"), row.get("feature")
        else:
            category, value = row.get("feature"), row.get("value")
        if category is None or value is None or row.get("min") is None or row.get("max") is None:
            raise QuotaError(
                "the quotas file needs the columns category,feature,min,max "
                "(or feature,value,min,max in the Sortition Foundation format)"
            )
        category, value = category.strip(), value.strip()
        bounds = []
        for bound in ("min", "max"):
            text = (row[bound] or "").strip()
            try:
                bounds.append(int(float(text)))
            except ValueError:
                raise QuotaError(
                    f"quota line {line} (category '{category}' value '{value}'): "
                    f"{bound} '{text}' is not a whole number"
                ) from None
        if (category, value) in seen:
            raise QuotaError(f"category '{category}' value '{value}' is listed twice")
        seen.add((category, value))
        quotas.append(Quota(category=category, value=value, min=bounds[0], max=bounds[1]))
    if not quotas:
        raise QuotaError("the quotas file has no rows")
    return tuple(quotas)


def categories_of(quotas: Sequence[Quota]) -> tuple[str, ...]:
    """Return the quota categories in first-seen order."""
    return tuple(dict.fromkeys(quota.category for quota in quotas))


def parse_pool(
    rows: Iterable[Mapping[str, str]],
    *,
    categories: Sequence[str],
    id_column: str | None = None,
    household_columns: Sequence[str] = (),
) -> Pool:
    """Build a pool from respondent rows, one column per category.

    Args:
        rows: respondent rows (e.g. from `csv.DictReader`).
        categories: the quota categories; each must be a column.
        id_column: column holding a unique id; by default the first of `ID_COLUMN_CANDIDATES`
            present, else the 0-based row number (the replication-repo convention).
        household_columns: columns whose joined values identify a household (e.g. address line
            and postcode); people sharing one are never on the same panel. Blank keys are ignored.

    Raises:
        PoolError: a column is missing, a value is blank, or an id repeats.
    """
    people: list[Person] = []
    seen: dict[str, int] = {}
    for index, row in enumerate(rows):
        if index == 0:
            column_id = _check_columns(row, categories, id_column, household_columns)
        person_id = str(index) if column_id is None else (row[column_id] or "").strip()
        if not person_id:
            raise PoolError(f"respondent on line {index + 2} has an empty id")
        if person_id in seen:
            raise PoolError(
                f"id '{person_id}' appears twice (lines {seen[person_id] + 2} and {index + 2}); "
                "each respondent needs a unique id"
            )
        seen[person_id] = index
        features = {category: (row[category] or "").strip() for category in categories}
        for category, value in features.items():
            if not value:
                raise PoolError(f"respondent '{person_id}' has no value for category '{category}'")
        household = "|".join((row[column] or "").strip() for column in household_columns)
        people.append(
            Person(
                id=person_id,
                features=features,
                household=household if household.strip("|") else None,
            )
        )
    if not people:
        raise PoolError("the respondents file has no rows")
    return Pool(people=tuple(people))


def _check_columns(
    row: Mapping[str, str],
    categories: Sequence[str],
    id_column: str | None,
    household_columns: Sequence[str],
) -> str | None:
    missing = [name for name in (*categories, *household_columns) if name not in row]
    if id_column is not None and id_column not in row:
        missing.append(id_column)
    if missing:
        raise PoolError(
            "the respondents file lacks the column(s) " + ", ".join(f"'{name}'" for name in missing)
        )
    if id_column is not None:
        return id_column
    return next((name for name in ID_COLUMN_CANDIDATES if name in row), None)


def read_quotas(path: Path | str) -> tuple[Quota, ...]:
    """Read a `categories.csv` or Sortition Foundation `features.csv` file (see `parse_quotas`)."""
    with _open(path) as handle:
        return parse_quotas(csv.DictReader(handle))


def read_pool(
    path: Path | str,
    *,
    categories: Sequence[str],
    id_column: str | None = None,
    household_columns: Sequence[str] = (),
) -> Pool:
    """Read a respondents/people file (see `parse_pool`)."""
    with _open(path) as handle:
        return parse_pool(
            csv.DictReader(handle),
            categories=categories,
            id_column=id_column,
            household_columns=household_columns,
        )


def _open(path: Path | str) -> TextIO:
    """Open a CSV for reading (a BOM from spreadsheet exports is dropped)."""
    try:
        return Path(path).open(newline="", encoding="utf-8-sig")
    except OSError as error:
        raise PoolError(f"cannot read '{path}': {error.strerror}") from None
