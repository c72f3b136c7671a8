import csv
import os
import shutil

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from cpps.audit.models import AuditEvent
from cpps.jurisdictions.models import Area, CensusFigure, Jurisdiction

pytestmark = pytest.mark.django_db
MARGINALS = "chicago_police_district_marginals.csv"


def test_import_creates_the_jurisdiction_and_loads_real_figures(census_dir, capsys):
    call_command(
        "import_census", "cook", str(census_dir / MARGINALS), "--create", "Chicago police districts"
    )
    jurisdiction = Jurisdiction.objects.get(slug="cook")
    assert jurisdiction.areas.count() == 23
    with (census_dir / MARGINALS).open(newline="") as stream:
        published = {
            row["police_district"]: int(row["dhc2020_total_pop"]) for row in csv.DictReader(stream)
        }
    for code, population in published.items():
        stored = CensusFigure.objects.filter(
            area__jurisdiction=jurisdiction, area__code=code, variable="sex"
        )
        assert sum(stored.values_list("count", flat=True)) == population
    assert "Loaded" in capsys.readouterr().out
    assert (
        AuditEvent.objects.filter(jurisdiction=jurisdiction, action="census.imported").count() == 1
    )


def test_a_bad_file_names_row_and_column_and_loads_nothing(census_dir, tmp_path):
    call_command("import_census", "cook", str(census_dir / MARGINALS), "--create", "Cook")
    before = (Area.objects.count(), CensusFigure.objects.count(), AuditEvent.objects.count())
    broken = tmp_path / "broken.csv"
    shutil.copy(census_dir / MARGINALS, broken)
    rows = list(csv.reader(broken.open(newline="")))
    rows[7][rows[0].index("dhc2020_households")] = "lots"
    rows.append(["99"] + ["1"] * (len(rows[0]) - 1))  # a new area that must not be created either
    with broken.open("w", newline="") as stream:
        csv.writer(stream).writerows(rows)
    with pytest.raises(
        CommandError, match=r"row 8, column 'dhc2020_households': 'lots' is not a whole number"
    ):
        call_command("import_census", "cook", str(broken))
    assert (
        Area.objects.count(),
        CensusFigure.objects.count(),
        AuditEvent.objects.count(),
    ) == before


def test_a_file_that_is_not_utf8_is_refused(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes("district,dhc2020_total_pop\nSão,1\n".encode("latin-1"))
    with pytest.raises(CommandError, match="not UTF-8"):
        call_command("import_census", "cook", str(path), "--create", "Cook")
    assert not Jurisdiction.objects.filter(slug="cook").exists()


def test_reimporting_replaces_figures_instead_of_adding_them(census_dir):
    call_command("import_census", "cook", str(census_dir / MARGINALS), "--create", "Cook")
    first = list(
        CensusFigure.objects.order_by("area__code", "variable", "category").values_list(
            "area__code", "variable", "category", "count"
        )
    )
    call_command("import_census", "cook", str(census_dir / MARGINALS))
    second = list(
        CensusFigure.objects.order_by("area__code", "variable", "category").values_list(
            "area__code", "variable", "category", "count"
        )
    )
    assert second == first


def test_unknown_jurisdiction_without_create_is_an_error(census_dir):
    with pytest.raises(CommandError, match="No jurisdiction 'nowhere'"):
        call_command("import_census", "nowhere", str(census_dir / MARGINALS))


LONG_HEADER = "area_code,area_name,area_kind,parent_code,variable,category,count,source,vintage\n"


def long_file(tmp_path, *rows, name="areas.csv"):
    path = tmp_path / name
    path.write_text(LONG_HEADER + "".join(row + "\n" for row in rows), encoding="utf-8")
    return path


def stored():
    return (
        Jurisdiction.objects.count(),
        Area.objects.count(),
        CensusFigure.objects.count(),
        AuditEvent.objects.count(),
    )


def test_a_short_name_that_is_not_a_slug_is_refused_and_nothing_is_written(census_dir):
    before = stored()
    with pytest.raises(CommandError, match="“bad slug!” cannot be a short name"):
        call_command("import_census", "bad slug!", str(census_dir / MARGINALS), "--create", "Bad")
    assert stored() == before


def test_the_command_exits_non_zero_with_one_line_naming_the_file(tmp_path):
    """Through the real `cpps` entry point: a message, exit code 1, no traceback."""
    from tests.test_operations import run_cli

    good = long_file(tmp_path, "A,Area A,district,,sex,female,12,census,2020", name="good.csv")
    path = long_file(tmp_path, "A,Area A,district,,sex,female,1e29,census,2020")
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'census.sqlite3'}"}
    assert run_cli(env, "migrate", "-v", "0").returncode == 0
    result = run_cli(env, "import-census", "bad slug!", str(good), "--create", "Bad")
    assert result.returncode == 1
    assert "“bad slug!” cannot be a short name" in result.stderr
    assert "Traceback" not in result.stderr
    result = run_cli(env, "import-census", "good", str(path), "--create", "Good")
    assert result.returncode == 1
    assert f"{path}: The census file was not loaded" in result.stderr
    assert "row 2, column 'count': '1e29' is not a whole number" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("rows", "problem"),
    [
        (
            ["A/B,Area,district,,sex,female,1,census,2020"],
            "row 2, column 'area_code': 'A/B' is not an area code",
        ),
        (
            ["..,Area,district,,sex,female,1,census,2020"],
            "row 2, column 'area_code': '..' is not an area code",
        ),
        (
            ["A,Area A,district,A,sex,female,1,census,2020"],
            "area 'A' names itself as its parent",
        ),
        (
            [
                "A,Area A,district,B,sex,female,1,census,2020",
                "B,Area B,district,C,sex,female,1,census,2020",
                "C,Area C,district,A,sex,female,1,census,2020",
            ],
            "areas name each other as parents in a loop: A -> B -> C -> A",
        ),
        (
            ["A,Bidi\u202eevil,district,,sex,female,1,census,2020"],
            "row 2, column 'area_name': holds a hidden character (U+202E RIGHT-TO-LEFT OVERRIDE)",
        ),
        (
            ["A,Null\x00name,district,,sex,female,1,census,2020"],
            "row 2, column 'area_name': holds a hidden character (U+0000)",
        ),
        (
            ["A,Zero\u200bwidth,district,,sex,female,1,census,2020"],
            "row 2, column 'area_name': holds a hidden character (U+200B ZERO WIDTH SPACE)",
        ),
        (
            ["A,Area A,district,,sex,female,100000000000000000000000000000,census,2020"],
            "row 2, column 'count': '100000000000000000000000000000' is larger than any census",
        ),
        (
            ["A," + "n" * 201 + ",district,,sex,female,1,census,2020"],
            "row 2, column 'area_name': is 201 characters long; at most 200",
        ),
        (
            ["A," + "n" * 1_000_000 + ",district,,sex,female,1,census,2020"],
            "row 2, column 'area_name': a cell is longer than 131072 characters",
        ),
    ],
)
def test_hostile_census_files_name_file_row_and_column_and_load_nothing(tmp_path, rows, problem):
    call_command(
        "import_census",
        "cook",
        str(long_file(tmp_path, "Z,Zed,district,,sex,male,5,census,2020", name="first.csv")),
        "--create",
        "Cook",
    )
    before = stored()
    path = long_file(tmp_path, *rows)
    with pytest.raises(CommandError) as refused:
        call_command("import_census", "cook", str(path))
    assert str(refused.value).startswith(f"{path}: The census file was not loaded")
    assert problem in str(refused.value)
    assert stored() == before


def test_a_parent_loop_with_areas_stored_earlier_is_refused(tmp_path):
    call_command(
        "import_census",
        "cook",
        str(
            long_file(
                tmp_path,
                "A,Area A,district,,sex,female,1,census,2020",
                "B,Area B,district,A,sex,female,1,census,2020",
                name="first.csv",
            )
        ),
        "--create",
        "Cook",
    )
    before = stored()
    second = long_file(
        tmp_path,
        "A,Area A,district,B,sex,female,1,census,2020",
        "B,Area B,district,,sex,female,1,census,2020",
        name="second.csv",
    )
    with pytest.raises(CommandError, match="areas would be their own parents in a loop"):
        call_command("import_census", "cook", str(second))
    assert stored() == before
    assert Area.objects.get(code="A").parent is None
