"""Formula cells (OWASP "CSV injection"), also behind leading spaces: refused by every importer,
written as text by every export."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client

from cpps.accountability.models import Commitment
from cpps.accountability.services import progress_update_post
from cpps.common.errors import InvalidInputError
from cpps.common.spreadsheets import formula_trigger, neutralise, starts_like_formula
from cpps.listening.services import response_submit
from cpps.panels import services as panel_services
from cpps.participation.identities import Identity
from cpps.processes.models import Process
from tests.panels.support import demo_panel_process

HYPERLINK = '=HYPERLINK("http://evil.example","x")'
HIDDEN_FORMULAS = [
    " " + HYPERLINK,
    " +cmd|' /C calc'!A0",
    "  -2+3",
    "\t=1+1",
    "\r=1+1",
    "\n@SUM(A1)",
    " |calc",
    "\uff1d1+1",
]


@pytest.mark.parametrize("cell", [HYPERLINK, "+cmd", "-2+3", "@SUM(A1)", *HIDDEN_FORMULAS])
def test_formulas_get_a_quote_even_after_leading_whitespace(cell):
    assert starts_like_formula(cell)
    assert neutralise(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["-3", " -3.5", "+4", "4.5", "plain", "", "a=b", "mid - dash"])
def test_numbers_and_ordinary_text_are_left_alone(cell):
    assert neutralise(cell) == cell


def test_imports_refuse_even_numbers_that_start_with_a_trigger():
    assert formula_trigger(" +60601") == "+"
    assert formula_trigger("60601") is None


def csv_bytes(*rows: list[str]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode("utf-8")


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8"))))


@pytest.mark.django_db
@pytest.mark.parametrize("cell", HIDDEN_FORMULAS[:2])
def test_the_quota_importer_refuses_a_formula_behind_a_space(chicago, accounts, cell):
    panel = panel_services.panel_setup(
        user=accounts["facilitator"],
        process=demo_panel_process(chicago),
        size=20,
        tolerance_percent=5,
        variables=["sex"],
    )
    before = list(panel.quotas.values_list())
    data = csv_bytes(
        ["category", "feature", "min", "max"],
        ["sex", "female", "9", "11"],
        ["sex", cell, "9", "11"],
    )
    with pytest.raises(InvalidInputError, match="Row 3, column “feature” starts with"):
        panel_services.panel_quotas_import(user=accounts["facilitator"], panel=panel, data=data)
    assert list(panel.quotas.values_list()) == before


@pytest.mark.django_db
@pytest.mark.parametrize("cell", HIDDEN_FORMULAS[:2])
def test_the_invitation_importer_refuses_a_formula_behind_a_space(chicago, accounts, cell):
    panel = panel_services.panel_setup(
        user=accounts["facilitator"],
        process=demo_panel_process(chicago),
        size=2,
        tolerance_percent=50,
        variables=["sex"],
    )
    data = csv_bytes(["address", "zip"], ["1 Main St", "60601"], [cell, "60602"])
    with pytest.raises(InvalidInputError, match="Row 3, column “address” starts with"):
        panel_services.invitations_import(
            user=accounts["facilitator"], panel=panel, data=data, sample_size=1
        )
    assert not panel.invitations.exists()


@pytest.mark.django_db
def test_the_invitation_importer_refuses_hidden_characters_naming_row_and_column(chicago, accounts):
    panel = panel_services.panel_setup(
        user=accounts["facilitator"],
        process=demo_panel_process(chicago),
        size=2,
        tolerance_percent=50,
        variables=["sex"],
    )
    data = b"address,zip\n1 Main St,60601\n2 Ma\x00in St,60602\n"
    with pytest.raises(InvalidInputError, match=r"Row 3, column “address” holds .*\(U\+0000\)"):
        panel_services.invitations_import(
            user=accounts["facilitator"], panel=panel, data=data, sample_size=1
        )


@pytest.mark.django_db
def test_the_commitments_export_neutralises_a_progress_metric_formula(chicago, accounts):
    commitment = Commitment.objects.get(
        jurisdiction=chicago, title="Broken street lights fixed within a week"
    )
    progress_update_post(
        user=accounts["city_official"],
        commitment=commitment,
        status="on_track",
        narrative="Crews out every night.",
        metric_value=" " + HYPERLINK,
    )
    rows = csv_rows(Client().get("/j/chicago/accountability/commitments.csv"))
    header, body = rows[0], rows[1:]
    row = next(r for r in body if r[header.index("id")] == str(commitment.pk))
    # The value is stored without its leading space, and exported as text.
    assert row[header.index("latest_metric_value")] == "'" + HYPERLINK
    for cells in body:
        assert not any(starts_like_formula(cell) for cell in cells), cells


@pytest.mark.django_db
def test_the_answer_export_neutralises_a_formula_behind_a_space(chicago, accounts):
    survey = Process.objects.get(jurisdiction=chicago, kind="survey", state="open")
    response_submit(
        process=survey,
        client_id="formula-0002",
        identity=Identity.api_client("formula-0002"),
        language="en",
        answers={"safer_one_thing": [" " + HYPERLINK], "safe_crime": ["4"]},
    )
    client = Client()
    client.force_login(accounts["facilitator"])
    rows = csv_rows(client.get(f"/j/chicago/surveys/{survey.pk}/answers.csv"))
    column = rows[0].index("safer_one_thing")
    assert [row[column] for row in rows[1:] if row[column].strip()] == ["'" + HYPERLINK]
