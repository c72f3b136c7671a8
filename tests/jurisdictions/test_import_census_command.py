import csv
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
