"""Real inputs for the weighting tests: Chicago's census margins by police district and the
Police Sentiment Scores published for the same districts (data/census, data/surveys)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

DATA = Path(__file__).resolve().parents[3] / "data"
PERIOD = "02/01/2023"
RACES = ("black", "asian", "hispanic", "white", "other")
AGES = ("18-34", "35-54", "55+")
SEXES = ("F", "M")
# Census columns behind each category. PSS age bands have no published cut points; these are the
# closest census bands. Race shares come from all ages (PL 94-171) applied to adults.
RACE_COLUMNS = {
    "black": ("pl2020_nh_black_alone",),
    "asian": ("pl2020_nh_asian_alone",),
    "hispanic": ("pl2020_hispanic_latino",),
    "white": ("pl2020_nh_white_alone",),
    "other": (
        "pl2020_nh_aian_alone",
        "pl2020_nh_nhpi_alone",
        "pl2020_nh_other_alone",
        "pl2020_nh_two_or_more",
    ),
}
AGE_COLUMNS = {
    "18-34": ("18_24", "25_34"),
    "35-54": ("35_44", "45_54"),
    "55+": ("55_64", "65_plus"),
}
PSS_GROUPS = {
    ("race", "black"): "S_RACE_AFRICAN_AMERICAN",
    ("race", "asian"): "S_RACE_ASIAN_AMERICAN",
    ("race", "hispanic"): "S_RACE_HISPANIC",
    ("race", "white"): "S_RACE_WHITE",
    ("race", "other"): "S_RACE_OTHER",
    ("age", "18-34"): "S_AGE_LOW",
    ("age", "35-54"): "S_AGE_MEDIUM",
    ("age", "55+"): "S_AGE_HIGH",
    ("sex", "F"): "S_SEX_FEMALE",
    ("sex", "M"): "S_SEX_MALE",
}


@dataclass(frozen=True)
class District:
    """One police district's adult census mix and its published safety scores."""

    number: str
    variables: tuple[str, ...]
    categories: tuple[tuple[str, ...], ...]
    population: np.ndarray  # adults by race x age x sex (race shares assumed equal across ages)
    safety: float
    group_safety: dict[tuple[str, str], float]


def read_census_districts() -> dict[str, dict[str, float]]:
    """Census marginals per police district, keyed by district number."""
    with (DATA / "census" / "chicago_police_district_marginals.csv").open() as handle:
        return {
            row["police_district"]: {k: float(v) for k, v in row.items() if k != "police_district"}
            for row in csv.DictReader(handle)
        }


def adult_population(census: dict[str, float]) -> np.ndarray:
    """Adults by race x age x sex for one district."""
    race = np.array([sum(census[c] for c in RACE_COLUMNS[r]) for r in RACES])
    age_sex = np.array(
        [[sum(census[f"dhc2020_{s}_{b}"] for b in AGE_COLUMNS[a]) for s in SEXES] for a in AGES]
    )
    return (race / race.sum())[:, None, None] * age_sex[None, :, :]


def read_published_safety() -> dict[str, dict[str, str]]:
    """The Police Sentiment Scores district rows for one month, keyed by district number."""
    with (DATA / "surveys" / "chicago_police_sentiment_scores.csv").open() as handle:
        return {
            row["DISTRICT"]: row
            for row in csv.DictReader(handle)
            if row["DISTRICT"] and not row["SECTOR"] and row["START_DATE"] == PERIOD
        }


@pytest.fixture(scope="session")
def census_districts() -> dict[str, dict[str, float]]:
    return read_census_districts()


@pytest.fixture(scope="session")
def chicago_districts(census_districts: dict[str, dict[str, float]]) -> list[District]:
    published = read_published_safety()
    return [
        District(
            number=number,
            variables=("race", "age", "sex"),
            categories=(RACES, AGES, SEXES),
            population=adult_population(census_districts[number]),
            safety=float(row["SAFETY"]),
            group_safety={key: float(row[column]) for key, column in PSS_GROUPS.items()},
        )
        for number, row in sorted(published.items(), key=lambda item: int(item[0]))
    ]
