"""The only bridge between panel rows and the sortition engine, plus the strict CSV readers.

Engine inputs are rebuilt from the frozen JSON stored on the panel, never from live rows, so a
draw always uses exactly what was committed.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from cpps.common.errors import InvalidInputError
from cpps.common.spreadsheets import formula_trigger
from cpps.engines import sortition
from cpps.engines.characters import character_name, first_hidden_character
from cpps.engines.sortition import Draw, Lottery, Person, Pool, Quota

# Census variables a panel can be stratified on by default, with the question residents answer.
QUOTA_VARIABLES: dict[str, tuple[str, str]] = {
    "sex": ("What is your sex?", "¿Cuál es su sexo?"),
    "age_band": ("How old are you?", "¿Qué edad tiene?"),
    "race_ethnicity": ("Which best describes you?", "¿Qué le describe mejor?"),
}
# Census categories that cannot be on a panel of adults.
EXCLUDED_CATEGORIES = {"age_band": {"under18"}}
VALUE_LABELS: dict[str, tuple[str, str]] = {
    "female": ("Female", "Mujer"),
    "male": ("Male", "Hombre"),
    "18_24": ("18 to 24", "18 a 24"),
    "25_34": ("25 to 34", "25 a 34"),
    "35_44": ("35 to 44", "35 a 44"),
    "45_54": ("45 to 54", "45 a 54"),
    "55_64": ("55 to 64", "55 a 64"),
    "65_plus": ("65 or older", "65 o más"),
    "hispanic_latino": ("Hispanic or Latino/a", "Hispano/a o latino/a"),
    "nh_black_alone": ("Black or African American", "Negro/a o afroamericano/a"),
    "nh_white_alone": ("White", "Blanco/a"),
    "nh_asian_alone": ("Asian", "Asiático/a"),
    "nh_aian_alone": (
        "American Indian or Alaska Native",
        "Indígena americano/a o nativo/a de Alaska",
    ),
    "nh_nhpi_alone": ("Native Hawaiian or Pacific Islander", "Nativo/a de Hawái o del Pacífico"),
    "nh_two_or_more": ("More than one", "Más de una"),
    "nh_other_alone": ("Another answer", "Otra respuesta"),
}
MAX_UPLOAD_BYTES = 5_000_000
PHONE_CELL = re.compile(r"\+\d[\d .()-]{6,24}")


def value_labels(value: str) -> tuple[str, str]:
    """English and Spanish labels of a category value (the value itself when unknown)."""
    return VALUE_LABELS.get(value, (value, value))


def category_question(category: str) -> tuple[str, str]:
    """The English and Spanish question residents answer for a quota category."""
    return QUOTA_VARIABLES.get(category, (category.replace("_", " ").capitalize(),) * 2)


@dataclass(frozen=True)
class QuotaRow:
    category: str
    value: str
    min: int
    max: int
    census_share: float | None = None


def census_quotas(
    *, counts: Mapping[str, Mapping[str, int]], size: int, tolerance_percent: int
) -> list[QuotaRow]:
    """Quotas at the census proportions, each widened by the tolerance (in points of share)."""
    rows: list[QuotaRow] = []
    tolerance = tolerance_percent / 100
    for variable, by_category in counts.items():
        kept = {
            category: count
            for category, count in by_category.items()
            if category not in EXCLUDED_CATEGORIES.get(variable, set())
        }
        total = sum(kept.values())
        if total == 0:
            continue
        for category, count in kept.items():
            share = count / total
            low = max(0, math.floor(round((share - tolerance) * size, 9)))
            high = min(size, math.ceil(round((share + tolerance) * size, 9)))
            rows.append(QuotaRow(variable, category, low, high, share))
    return rows


@dataclass(frozen=True)
class Feasibility:
    """What the page says about the quotas: `problems` make a panel impossible, `warnings` say it
    is close to impossible."""

    problems: tuple[str, ...]
    warnings: tuple[str, ...]


def quota_feasibility(
    *, quotas: Sequence[QuotaRow], size: int, pool: Pool | None = None
) -> Feasibility:
    """Check the quotas against the panel size per category, and against the pool if given."""
    problems: list[str] = []
    warnings: list[str] = []
    by_category: dict[str, list[QuotaRow]] = {}
    for quota in quotas:
        by_category.setdefault(quota.category, []).append(quota)
        if quota.min > quota.max:
            problems.append(
                _("“%(category)s: %(value)s” has a minimum above its maximum.")
                % {"category": quota.category, "value": quota.value}
            )
    for category, rows in by_category.items():
        low, high = sum(row.min for row in rows), sum(row.max for row in rows)
        names = {"category": category, "low": low, "high": high, "size": size}
        if low > size:
            problems.append(
                _(
                    "The minimums of “%(category)s” add up to %(low)s, more than the panel "
                    "size of %(size)s: lower some minimums."
                )
                % names
            )
        elif high < size:
            problems.append(
                _(
                    "The maximums of “%(category)s” add up to %(high)s, fewer than the panel "
                    "size of %(size)s: raise some maximums."
                )
                % names
            )
        elif size in (low, high):
            warnings.append(
                _(
                    "The quotas of “%(category)s” leave no room (minimums add up to %(low)s, "
                    "maximums to %(high)s, panel size %(size)s): a single withdrawal may "
                    "not be replaceable. Consider a wider tolerance."
                )
                % names
            )
    if pool is not None and not problems and len(pool) > 0:
        try:
            sortition.validate(pool, engine_quotas(quotas), size)
        except sortition.SortitionError as error:
            problems.append(
                _("With the people registered so far: %(reason)s") % {"reason": str(error)}
            )
    return Feasibility(tuple(problems), tuple(warnings))


def engine_quotas(rows: Iterable[QuotaRow] | Iterable[Sequence[Any]]) -> tuple[Quota, ...]:
    """Engine quotas from quota rows or from frozen `[category, value, min, max]` lists."""
    quotas: list[Quota] = []
    for row in rows:
        if isinstance(row, QuotaRow):
            quotas.append(Quota(row.category, row.value, row.min, row.max))
        else:
            category, value, low, high = row
            quotas.append(Quota(str(category), str(value), int(low), int(high)))
    return tuple(quotas)


def engine_pool(frozen: Sequence[Sequence[Any]]) -> Pool:
    """The engine pool from frozen `[id, {category: value}, household]` entries, in order."""
    return Pool(
        people=tuple(
            Person(id=str(person), features=dict(features), household=household or None)
            for person, features, household in frozen
        )
    )


def engine_lottery(panels: Sequence[Sequence[str]], pool: Pool) -> Lottery:
    """The committed lottery over `panels` for `pool`."""
    rounded = tuple(tuple(panel) for panel in panels)
    return Lottery(
        panels=rounded,
        probabilities=sortition.lottery_probabilities(rounded, pool.ids),
        people_ids=pool.ids,
        source_min_probability=0.0,
    )


def draw_to_json(draw: Draw) -> dict[str, Any]:
    return {
        "commitment_digest": draw.commitment_digest,
        "public_randomness": draw.public_randomness,
        "seed": draw.seed,
        "index": draw.index,
        "drawn": list(draw.drawn),
        "panel": list(draw.panel),
        "alternates": list(draw.alternates),
        "replacements": [list(pair) for pair in draw.replacements],
    }


def draw_from_json(stored: Mapping[str, Any]) -> Draw:
    return Draw(
        commitment_digest=str(stored["commitment_digest"]),
        public_randomness=str(stored["public_randomness"]),
        seed=str(stored["seed"]),
        index=int(stored["index"]),
        drawn=tuple(stored["drawn"]),
        panel=tuple(stored["panel"]),
        alternates=tuple(stored["alternates"]),
        replacements=tuple((str(a), str(b)) for a, b in stored["replacements"]),
    )


# Strict CSV reading: every problem names its row and column, and nothing is imported.


def _text(data: bytes) -> str:
    if len(data) > MAX_UPLOAD_BYTES:
        raise InvalidInputError(_("The file is larger than 5 MB; split it into smaller files."))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        row = data[: error.start].count(b"\n") + 1
        row_start = data.rfind(b"\n", 0, error.start) + 1
        header = data.split(b"\n", 1)[0].decode("utf-8", errors="replace").split(",")
        index = data[row_start : error.start].count(b",")
        column = header[index].strip().lower() if index < len(header) else str(index + 1)
        raise InvalidInputError(
            _(
                "Row %(row)s, column “%(column)s” is not valid UTF-8 text. Save the file as "
                "“CSV UTF-8” and upload it again; nothing was imported."
            )
            % {"row": row, "column": column}
        ) from error


def read_csv(
    data: bytes, *, required: Sequence[str], phone_columns: Sequence[str] = ()
) -> list[dict[str, str]]:
    """Rows of an uploaded CSV as dicts keyed by lower-case header. In `phone_columns` a cell
    such as “+1 312 555 0142” is a number with its country code, not a formula.

    Raises:
        InvalidInputError: wrong encoding, a malformed row, a missing column, a cell that a
            spreadsheet would run as a formula. The message names the row and column.
    """
    text = _text(data)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        table = list(reader)
    except csv.Error as error:
        raise InvalidInputError(
            _("Row %(row)s is not well-formed CSV (%(reason)s); nothing was imported.")
            % {"row": reader.line_num, "reason": str(error)}
        ) from error
    if not table or not any(cell.strip() for cell in table[0]):
        raise InvalidInputError(_("The file is empty; nothing was imported."))
    header = [cell.strip().lower() for cell in table[0]]
    missing = [name for name in required if name not in header]
    if missing:
        raise InvalidInputError(
            _("Row 1 (the header) lacks the column(s) %(columns)s; nothing was imported.")
            % {"columns": ", ".join(f"“{name}”" for name in missing)}
        )
    rows: list[dict[str, str]] = []
    for number, cells in enumerate(table[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(header):
            raise InvalidInputError(
                _(
                    "Row %(row)s has %(found)s cells but the header has %(expected)s columns; "
                    "nothing was imported."
                )
                % {"row": number, "found": len(cells), "expected": len(header)}
            )
        for column, cell in zip(header, cells, strict=True):
            _refuse_unsafe_cell(cell, row=number, column=column, phone_columns=phone_columns)
        rows.append(
            {**dict(zip(header, (c.strip() for c in cells), strict=True)), "#": str(number)}
        )
    if not rows:
        raise InvalidInputError(_("The file has a header but no rows; nothing was imported."))
    return rows


def _refuse_unsafe_cell(cell: str, *, row: int, column: str, phone_columns: Sequence[str]) -> None:
    """Refuse a cell a spreadsheet would run as a formula (even a number: a list of addresses
    has no formulas; a phone number with its "+" is allowed in a phone column), or one with a
    control, bidirectional or zero-width character (the values become names and labels)."""
    hidden = first_hidden_character(cell.strip())
    if hidden is not None:
        raise InvalidInputError(
            _(
                "Row %(row)s, column “%(column)s” holds a hidden character (%(character)s). "
                "Remove it; nothing was imported."
            )
            % {"row": row, "column": column, "character": character_name(hidden)}
        )
    trigger = formula_trigger(cell)
    if trigger is None or (column in phone_columns and PHONE_CELL.fullmatch(cell.strip())):
        return
    raise InvalidInputError(
        _(
            "Row %(row)s, column “%(column)s” starts with “%(char)s”, which a spreadsheet "
            "would run as a formula. Remove that character; nothing was imported."
        )
        % {"row": row, "column": column, "char": trigger.strip() or character_name(trigger)}
    )


def normalised_address(row: Mapping[str, str]) -> str:
    """One household key from the address columns: case, spacing and punctuation ignored."""
    parts = [row.get(name, "") for name in ("address", "unit", "zip")]
    return re.sub(r"[^a-z0-9]+", " ", " ".join(parts).lower()).strip()


def quota_rows_from_csv(data: bytes) -> list[QuotaRow]:
    """Quotas from `category,feature,min,max` (or `feature,value,min,max`) with row errors."""
    text_rows = read_csv(data, required=("min", "max"))
    rows: list[QuotaRow] = []
    seen: dict[tuple[str, str], str] = {}
    for row in text_rows:
        number = row["#"]
        category = row.get("category") or row.get("feature", "")
        value = row.get("feature", "") if "category" in row else row.get("value", "")
        column = "category" if "category" in row else "feature"
        if not category:
            raise InvalidInputError(
                _("Row %(row)s, column “%(column)s” is empty; nothing was imported.")
                % {"row": number, "column": column}
            )
        if not value:
            raise InvalidInputError(
                _("Row %(row)s: the value column is empty; nothing was imported.") % {"row": number}
            )
        bounds: list[int] = []
        for name in ("min", "max"):
            try:
                bound = int(row[name])
            except ValueError:
                bound = -1
            if bound < 0:
                raise InvalidInputError(
                    _(
                        "Row %(row)s, column “%(column)s” must be a whole number of 0 or "
                        "more; nothing was imported."
                    )
                    % {"row": number, "column": name}
                )
            bounds.append(bound)
        if (category, value) in seen:
            raise InvalidInputError(
                _(
                    "Row %(row)s repeats row %(first)s (“%(category)s: %(value)s”); nothing "
                    "was imported."
                )
                % {
                    "row": number,
                    "first": seen[(category, value)],
                    "category": category,
                    "value": value,
                }
            )
        seen[(category, value)] = number
        rows.append(QuotaRow(category, value, bounds[0], bounds[1]))
    return rows
