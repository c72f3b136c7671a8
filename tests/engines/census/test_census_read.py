import csv
import io
from collections import defaultdict

import pytest

from cpps.engines.census import CensusFileError, read_census_csv

MARGINALS = "chicago_police_district_marginals.csv"


def marginal_rows(census_dir):
    with (census_dir / MARGINALS).open(newline="") as stream:
        return {row["police_district"]: row for row in csv.DictReader(stream)}


def totals(table, variable):
    sums = defaultdict(int)
    for figure in table.figures:
        if figure.variable == variable:
            sums[figure.area_code] += figure.count
    return sums


def test_real_district_marginals_load_every_district(census_dir):
    table = read_census_csv(census_dir / MARGINALS)
    assert sorted(area.code for area in table.areas) == sorted(marginal_rows(census_dir), key=str)


@pytest.mark.parametrize(
    ("variable", "total_column"),
    [
        ("age_sex", "dhc2020_total_pop"),
        ("age_band", "dhc2020_total_pop"),
        ("sex", "dhc2020_total_pop"),
        ("race_ethnicity", "pl2020_total_pop"),
        ("language", "acs2021_pop5plus_total"),
        ("housing_units", "pl2020_housing_units"),
    ],
)
def test_each_breakdown_adds_up_to_the_published_total(census_dir, variable, total_column):
    rows = marginal_rows(census_dir)
    sums = totals(read_census_csv(census_dir / MARGINALS), variable)
    for code, row in rows.items():
        assert sums[code] == int(row[total_column]), (code, variable)


def test_district_sums_match_the_tract_files(census_dir):
    """The marginals are sums of the tract files over the crosswalk; check one variable end to end."""
    with (census_dir / "cook_tracts_2020_police_district.csv").open(newline="") as stream:
        district_of = {
            row["GEOID"]: row["police_district"]
            for row in csv.DictReader(stream)
            if row["in_chicago"] == "1"
        }
    hispanic = defaultdict(int)
    with (census_dir / "cook_tracts_pl2020_race_ethnicity_occupancy.csv").open(
        newline=""
    ) as stream:
        for row in csv.DictReader(stream):
            if row["GEOID"] in district_of:
                hispanic[district_of[row["GEOID"]]] += int(row["hispanic_latino"])
    table = read_census_csv(census_dir / MARGINALS)
    loaded = {
        f.area_code: f.count
        for f in table.figures
        if (f.variable, f.category) == ("race_ethnicity", "hispanic_latino")
    }
    assert loaded == dict(hispanic)


def broken_copy(census_dir, row_index, column, value):
    with (census_dir / MARGINALS).open(newline="") as stream:
        rows = list(csv.reader(stream))
    rows[row_index][rows[0].index(column)] = value
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    buffer.seek(0)
    return buffer


def test_a_bad_cell_is_named_by_row_and_column(census_dir):
    with pytest.raises(CensusFileError) as raised:
        read_census_csv(broken_copy(census_dir, 4, "pl2020_hispanic_latino", "12x"))
    assert "row 5, column 'pl2020_hispanic_latino': '12x' is not a whole number" in str(
        raised.value
    )


def test_an_unknown_column_is_refused_in_the_header(census_dir):
    buffer = io.StringIO("district,dhc2020_total_pop,favourite_colour\n1,10,blue\n")
    with pytest.raises(CensusFileError) as raised:
        read_census_csv(buffer)
    assert "row 1, column 'favourite_colour'" in str(raised.value)


def test_long_layout_reads_and_reports_repeats_and_bad_kinds():
    good = (
        "area_code,area_name,area_kind,parent_code,variable,category,count,source,vintage\n"
        "N1,North,district,,tenure,renter,120,ACS,2021\n"
        "N1,,,,tenure,owner,80,ACS,2021\n"
        "T1,Tract 1,tract,N1,tenure,renter,30,ACS,2021\n"
    )
    table = read_census_csv(io.StringIO(good))
    assert [(a.code, a.kind, a.parent_code) for a in table.areas] == [
        ("N1", "district", ""),
        ("T1", "tract", "N1"),
    ]
    assert sum(f.count for f in table.figures) == 230
    bad = (
        good
        + "N1,,,,tenure,owner,81,ACS,2021\nX,,planet,,tenure,owner,1,ACS,2021\nY,,,,Tenure,owner,-4,ACS,2021\n"
    )
    with pytest.raises(CensusFileError) as raised:
        read_census_csv(io.StringIO(bad))
    text = str(raised.value)
    assert "row 5, column 'category': repeats the figure already given in row 3" in text
    assert "row 6, column 'area_kind': 'planet' is not one of" in text
    assert "row 7, column 'variable'" in text
    assert "row 7, column 'count': '-4' is not a whole number" in text


def test_empty_and_header_only_files_are_refused():
    with pytest.raises(CensusFileError, match="empty"):
        read_census_csv(io.StringIO(""))
    with pytest.raises(CensusFileError, match="no data rows"):
        read_census_csv(io.StringIO("district,dhc2020_total_pop\n"))


@pytest.mark.parametrize(
    ("parents", "loop"),
    [
        ({"A": "", "B": "A", "C": "B"}, []),
        ({"A": "A"}, ["A", "A"]),
        ({"A": "B", "B": "C", "C": "A", "D": "A"}, ["A", "B", "C", "A"]),
        ({"D": "A", "A": "B", "B": "A"}, ["A", "B", "A"]),
        ({"A": "Z"}, []),
    ],
)
def test_parent_loops_are_found_and_named(parents, loop):
    from cpps.engines.census import parent_cycle

    assert parent_cycle(parents) == loop


def test_wide_files_refuse_area_codes_that_cannot_be_in_a_web_address():
    text = "district,dhc2020_female\n7,10\nA/B,12\n"
    with pytest.raises(
        CensusFileError, match=r"row 3, column 'district': 'A/B' is not an area code"
    ):
        read_census_csv(io.StringIO(text))
