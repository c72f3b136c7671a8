from __future__ import annotations

import csv
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from cpps.engines.characters import character_name, first_hidden_character
from cpps.engines.errors import EngineError

LONG_COLUMNS = (
    "area_code",
    "area_name",
    "area_kind",
    "parent_code",
    "variable",
    "category",
    "count",
    "source",
    "vintage",
)
AREA_KINDS = ("district", "neighbourhood", "tract", "beat", "ward", "other")
_WIDE_COLUMN = re.compile(r"^(?P<source>[a-z]+)(?P<vintage>\d{4})_(?P<figure>.+)$")
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_WIDE_IGNORED = {"n_tracts", "area_name"}
_MAX_REPORTED = 25
# Area codes appear in web addresses (/j/<slug>/areas/<code>/): unreserved URL characters only,
# starting with a letter or digit (so never "." or "..").
AREA_CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._~-]*$"
_AREA_CODE = re.compile(AREA_CODE_PATTERN)
# Longest value each column may hold (what the database stores for it).
MAX_LENGTHS = {
    "area_code": 40,
    "area_name": 200,
    "variable": 60,
    "category": 80,
    "source": 200,
    "vintage": 20,
}
# No area's census count comes near ten billion; larger numbers are typing errors.
MAX_COUNT = 10_000_000_000
# Python's csv module refuses longer cells; no census cell comes near this.
_MAX_CELL = csv.field_size_limit()

_SOURCES = {
    "dhc": "US Census Bureau, 2020 Census Demographic and Housing Characteristics",
    "pl": "US Census Bureau, 2020 Census Redistricting Data (P.L. 94-171)",
    "acs": "US Census Bureau, American Community Survey 5-year estimates",
}
_AGE_BANDS = ("under18", "18_24", "25_34", "35_44", "45_54", "55_64", "65_plus")
_SEXES = {"F": "female", "M": "male"}
_RACE_ETHNICITY = (
    "hispanic_latino",
    "nh_white_alone",
    "nh_black_alone",
    "nh_asian_alone",
    "nh_aian_alone",
    "nh_nhpi_alone",
    "nh_other_alone",
    "nh_two_or_more",
)
_LANGUAGE = {
    "pop5plus_english_only": "english_only",
    "pop5plus_spanish_eng_very_well": "spanish_english_very_well",
    "pop5plus_spanish_eng_lt_very_well": "spanish_limited_english",
    "pop5plus_other_lang_eng_very_well": "other_language_english_very_well",
    "pop5plus_other_lang_eng_lt_very_well": "other_language_limited_english",
}
# Totals that other figures already break down; kept out so no count is stored twice.
_WIDE_REDUNDANT = {
    "pop5plus_total",
    "pop5plus_spanish",
    "pop5plus_other_lang",
    "not_hispanic",
    "total_pop",
    "pop_in_households",
}


@dataclass(frozen=True)
class AreaRecord:
    """An area named in a census file."""

    code: str
    name: str
    kind: str
    parent_code: str = ""


@dataclass(frozen=True)
class CensusRecord:
    """One census count: how many people (or households) of a category live in an area."""

    area_code: str
    variable: str
    category: str
    count: int
    source: str
    vintage: str


@dataclass(frozen=True)
class CensusTable:
    """A validated census file: its areas and their figures."""

    areas: tuple[AreaRecord, ...]
    figures: tuple[CensusRecord, ...]


@dataclass(frozen=True)
class CensusProblem:
    """One thing wrong with a census file, located by row and column."""

    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"row {self.row}, column '{self.column}': {self.message}"


@dataclass
class CensusFileError(EngineError):
    """The file cannot be loaded; nothing from it was kept."""

    problems: list[CensusProblem] = field(default_factory=list)

    def __str__(self) -> str:
        shown = [str(problem) for problem in self.problems[:_MAX_REPORTED]]
        more = len(self.problems) - len(shown)
        if more > 0:
            shown.append(f"... and {more} more problems")
        return "The census file was not loaded:\n" + "\n".join(f"  {line}" for line in shown)


def read_census_csv(source: Path | TextIO) -> CensusTable:
    """Read a census file in the long or wide layout and return its validated contents.

    Raises:
        CensusFileError: listing every problem by row and column; nothing is returned.
    """
    if not isinstance(source, Path):
        return _read_rows(_csv_rows(source))
    try:
        with source.open(newline="", encoding="utf-8-sig") as stream:
            return _read_rows(_csv_rows(stream))
    except UnicodeDecodeError as error:
        raise CensusFileError(
            [CensusProblem(1, "", f"the file is not UTF-8 text ({error.reason})")]
        ) from error
    except OSError as error:
        raise CensusFileError(
            [CensusProblem(1, "", f"the file cannot be read ({error.strerror})")]
        ) from error


def _csv_rows(stream: TextIO) -> list[list[str]]:
    """Every row of the file, or a CensusFileError naming the row (and column) that is not CSV."""
    lines = _LineTracker(stream)
    reader = csv.reader(lines)
    rows: list[list[str]] = []
    try:
        rows.extend(reader)
    except csv.Error as error:
        header = rows[0] if rows else []
        if "field larger than field limit" in str(error):
            column = _long_cell_column(lines.last, header)
            message = f"a cell is longer than {_MAX_CELL} characters; no census value is that long"
            raise CensusFileError([CensusProblem(reader.line_num, column, message)]) from error
        raise CensusFileError(
            [CensusProblem(reader.line_num, "", f"is not well-formed CSV ({error})")]
        ) from error
    return rows


class _LineTracker:
    """Lines of a stream, keeping the last one handed out (to locate a CSV error in it)."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.last = ""

    def __iter__(self) -> _LineTracker:
        return self

    def __next__(self) -> str:
        self.last = next(self.stream)
        return self.last


def _long_cell_column(line: str, header: Sequence[str]) -> str:
    """The column of the first over-long cell in one raw CSV line (commas in quotes skipped)."""
    index, start, quoted = 0, 0, False
    for position, character in enumerate(line):
        if character == '"':
            quoted = not quoted
        elif character == "," and not quoted:
            if position - start > _MAX_CELL:
                break
            index, start = index + 1, position + 1
    return header[index].strip() if index < len(header) else f"#{index + 1}"


def _read_rows(rows: list[list[str]]) -> CensusTable:
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise CensusFileError([CensusProblem(1, "", "the file is empty; expected a header row")])
    header = [cell.strip() for cell in rows[0]]
    body = [
        (index, row) for index, row in enumerate(rows[1:], start=2) if any(c.strip() for c in row)
    ]
    if not body:
        raise CensusFileError([CensusProblem(2, "", "the file has a header but no data rows")])
    hidden = _hidden_character_problems(header, [(1, rows[0]), *body])
    if hidden:
        raise CensusFileError(hidden)
    if "variable" in header and "count" in header:
        return _read_long(header, body)
    return _read_wide(header, body)


def _hidden_character_problems(
    header: list[str], rows: Iterable[tuple[int, Sequence[str]]]
) -> list[CensusProblem]:
    problems = []
    for number, row in rows:
        for position, cell in enumerate(row):
            character = first_hidden_character(cell.strip())
            if character is not None:
                column = header[position] if position < len(header) else f"#{position + 1}"
                problems.append(
                    CensusProblem(
                        number,
                        column,
                        f"holds a hidden character ({character_name(character)}) that can "
                        "disguise or reorder text; remove it",
                    )
                )
    return problems


def _cell(row: Sequence[str], header: list[str], column: str) -> str:
    position = header.index(column)
    return row[position].strip() if position < len(row) else ""


def _parse_count(text: str, row: int, column: str, problems: list[CensusProblem]) -> int | None:
    cleaned = text.replace(",", "")
    if not cleaned:
        problems.append(CensusProblem(row, column, "is empty; expected a whole number"))
        return None
    if cleaned.endswith(".0"):
        cleaned = cleaned[:-2]
    if not cleaned.isdigit():
        problems.append(CensusProblem(row, column, f"'{text}' is not a whole number of 0 or more"))
        return None
    if len(cleaned) > len(str(MAX_COUNT)) or int(cleaned) > MAX_COUNT:
        problems.append(
            CensusProblem(row, column, f"'{text}' is larger than any census count ({MAX_COUNT:,})")
        )
        return None
    return int(cleaned)


def _check_width(row: Sequence[str], header: list[str], number: int) -> CensusProblem | None:
    if len(row) > len(header):
        return CensusProblem(number, "", f"has {len(row)} cells but the header has {len(header)}")
    return None


def _read_long(header: list[str], body: list[tuple[int, list[str]]]) -> CensusTable:
    problems: list[CensusProblem] = []
    missing = [column for column in LONG_COLUMNS if column not in header]
    if missing:
        raise CensusFileError(
            [CensusProblem(1, column, "this required column is missing") for column in missing]
        )
    areas: dict[str, AreaRecord] = {}
    figures: list[CensusRecord] = []
    seen: dict[tuple[str, str, str], int] = {}
    for number, row in body:
        width_problem = _check_width(row, header, number)
        if width_problem:
            problems.append(width_problem)
            continue
        values = {column: _cell(row, header, column) for column in LONG_COLUMNS}
        problems.extend(_length_problems(values, number))
        area = _long_area(values, number, areas, problems)
        for column in ("variable", "category"):
            if not _NAME.match(values[column]):
                problems.append(CensusProblem(number, column, _name_message(values[column])))
        for column in ("source", "vintage"):
            if not values[column]:
                problems.append(CensusProblem(number, column, "is empty"))
        count = _parse_count(values["count"], number, "count", problems)
        if area is None or count is None:
            continue
        key = (area.code, values["variable"], values["category"])
        if key in seen:
            problems.append(
                CensusProblem(
                    number, "category", f"repeats the figure already given in row {seen[key]}"
                )
            )
            continue
        seen[key] = number
        figures.append(
            CensusRecord(area.code, key[1], key[2], count, values["source"], values["vintage"])
        )
    problems.extend(_parent_problems(areas.values(), body[0][0]))
    if problems:
        raise CensusFileError(problems)
    return CensusTable(tuple(areas.values()), tuple(figures))


def _length_problems(values: dict[str, str], number: int) -> list[CensusProblem]:
    return [
        CensusProblem(number, column, f"is {len(values[column])} characters long; at most {limit}")
        for column, limit in MAX_LENGTHS.items()
        if len(values.get(column, "")) > limit
    ]


def _code_problem(code: str, number: int, column: str) -> CensusProblem | None:
    if _AREA_CODE.match(code):
        return None
    return CensusProblem(
        number,
        column,
        f"'{code}' is not an area code: use letters, digits and . _ ~ - only, starting with a "
        "letter or digit (codes appear in web addresses)",
    )


def _name_message(value: str) -> str:
    if not value:
        return "is empty"
    return f"'{value}' must be lower-case letters, digits and underscores, starting with a letter"


def _long_area(
    values: dict[str, str], number: int, areas: dict[str, AreaRecord], problems: list[CensusProblem]
) -> AreaRecord | None:
    code = values["area_code"]
    if not code:
        problems.append(CensusProblem(number, "area_code", "is empty"))
        return None
    code_problem = _code_problem(code, number, "area_code")
    if code_problem is not None:
        problems.append(code_problem)
        return None
    known = areas.get(code)
    if known is not None:
        for column, attribute in (
            ("area_name", "name"),
            ("area_kind", "kind"),
            ("parent_code", "parent_code"),
        ):
            given = values[column]
            if given and given != getattr(known, attribute):
                problems.append(
                    CensusProblem(
                        number,
                        column,
                        f"'{given}' differs from '{getattr(known, attribute)}' "
                        f"given earlier for area '{code}'",
                    )
                )
        return known
    kind = values["area_kind"] or "district"
    if kind not in AREA_KINDS:
        problems.append(
            CensusProblem(number, "area_kind", f"'{kind}' is not one of {', '.join(AREA_KINDS)}")
        )
        return None
    area = AreaRecord(code, values["area_name"] or code, kind, values["parent_code"])
    areas[code] = area
    return area


def _parent_problems(areas: Iterable[AreaRecord], first_row: int) -> list[CensusProblem]:
    by_code = {area.code: area for area in areas}
    problems = [
        CensusProblem(
            first_row,
            "parent_code",
            f"area '{area.code}' names parent '{area.parent_code}', which is not in the file",
        )
        for area in by_code.values()
        if area.parent_code and area.parent_code not in by_code
    ]
    cycle = parent_cycle({code: area.parent_code for code, area in by_code.items()})
    if cycle:
        problems.append(CensusProblem(first_row, "parent_code", _cycle_message(cycle)))
    return problems


def parent_cycle(parents: Mapping[str, str]) -> list[str]:
    """The first loop in a child -> parent map (``["A", "B", "A"]``; ``["A", "A"]`` for an area
    that is its own parent), or an empty list when every chain of parents ends."""
    finished: set[str] = set()
    for start in parents:
        path: list[str] = []
        code = start
        while code and code not in finished:
            if code in path:
                return [*path[path.index(code) :], code]
            path.append(code)
            code = parents.get(code, "")
        finished.update(path)
    return []


def _cycle_message(cycle: Sequence[str]) -> str:
    if len(cycle) == 2:
        return f"area '{cycle[0]}' names itself as its parent"
    return "areas name each other as parents in a loop: " + " -> ".join(cycle)


def _read_wide(header: list[str], body: list[tuple[int, list[str]]]) -> CensusTable:
    problems: list[CensusProblem] = []
    area_column = header[0]
    figure_columns: dict[str, tuple[str, str, str]] = {}
    for column in header[1:]:
        if column in _WIDE_IGNORED:
            continue
        match = _WIDE_COLUMN.match(column)
        if not match or match["source"] not in _SOURCES:
            problems.append(
                CensusProblem(
                    1, column, "is not a census figure column; expected e.g. 'dhc2020_F_18_24'"
                )
            )
            continue
        figure_columns[column] = (match["source"], match["vintage"], match["figure"])
    if problems:
        raise CensusFileError(problems)
    areas: list[AreaRecord] = []
    figures: list[CensusRecord] = []
    seen: dict[str, int] = {}
    for number, row in body:
        width_problem = _check_width(row, header, number)
        if width_problem:
            problems.append(width_problem)
            continue
        code = _wide_area_code(row[0].strip(), number, area_column, seen, problems)
        if code is None:
            continue
        name = _cell(row, header, "area_name") if "area_name" in header else ""
        problems.extend(_length_problems({"area_code": code, "area_name": name}, number))
        areas.append(AreaRecord(code, name or code, "district"))
        counts: dict[str, tuple[int, str, str]] = {}
        for column, (source, vintage, figure) in figure_columns.items():
            count = _parse_count(_cell(row, header, column), number, column, problems)
            if count is not None:
                counts[figure] = (count, _SOURCES[source], vintage)
        figures.extend(_wide_figures(code, counts, number, problems))
    if problems:
        raise CensusFileError(problems)
    return CensusTable(tuple(areas), tuple(figures))


def _wide_area_code(
    code: str, number: int, column: str, seen: dict[str, int], problems: list[CensusProblem]
) -> str | None:
    """The row's area code once it is known to be valid and new, else None (problem noted)."""
    problem: CensusProblem | None
    if not code:
        problem = CensusProblem(number, column, "is empty")
    elif code in seen:
        problem = CensusProblem(
            number, column, f"area '{code}' was already given in row {seen[code]}"
        )
    else:
        problem = _code_problem(code, number, column)
    if problem is not None:
        problems.append(problem)
        return None
    seen[code] = number
    return code


def _wide_figures(
    code: str, counts: dict[str, tuple[int, str, str]], number: int, problems: list[CensusProblem]
) -> list[CensusRecord]:
    figures: list[CensusRecord] = []

    def add(variable: str, category: str, figure: str) -> None:
        count, source, vintage = counts[figure]
        figures.append(CensusRecord(code, variable, category, count, source, vintage))

    age_band_totals: dict[str, list[int]] = defaultdict(list)
    for figure in counts:
        sex_code, _, band = figure.partition("_")
        if sex_code in _SEXES and band in _AGE_BANDS:
            add("age_sex", f"{_SEXES[sex_code]}_{band}", figure)
            age_band_totals[band].append(counts[figure][0])
    for band, parts in age_band_totals.items():
        if len(parts) == len(_SEXES):
            _, source, vintage = counts[f"F_{band}"]
            figures.append(CensusRecord(code, "age_band", band, sum(parts), source, vintage))
    simple = {
        "female": ("sex", "female"),
        "male": ("sex", "male"),
        "households": ("households", "total"),
        "group_quarters": ("living_quarters", "group_quarters"),
        "occupied_units": ("housing_units", "occupied"),
    }
    simple.update({name: ("race_ethnicity", name) for name in _RACE_ETHNICITY})
    simple.update({column: ("language", category) for column, category in _LANGUAGE.items()})
    for figure in counts:
        if figure in simple:
            add(*simple[figure], figure)
    if "housing_units" in counts and "occupied_units" in counts:
        vacant = counts["housing_units"][0] - counts["occupied_units"][0]
        if vacant < 0:
            problems.append(
                CensusProblem(number, "housing_units", "is smaller than occupied_units")
            )
        else:
            _, source, vintage = counts["housing_units"]
            figures.append(CensusRecord(code, "housing_units", "vacant", vacant, source, vintage))
    if "pop_in_households" in counts:
        add("living_quarters", "households", "pop_in_households")
    known = (
        set(simple)
        | _WIDE_REDUNDANT
        | {"housing_units"}
        | {f"{sex}_{band}" for sex in _SEXES for band in _AGE_BANDS}
    )
    for figure in sorted(set(counts) - known):
        problems.append(
            CensusProblem(number, figure, "is not a figure this importer knows how to store")
        )
    return figures
