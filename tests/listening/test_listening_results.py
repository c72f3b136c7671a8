"""Published results: weighted to the census, with intervals, small groups withheld, open data,
and a facilitator-only answer export that spreadsheets cannot execute."""

import csv
import io
import json

import numpy as np
import pytest
from django.test import Client

from cpps.common.spreadsheets import neutralise
from cpps.listening.selectors import _respondents, survey_census, survey_results
from cpps.listening.services import response_submit
from cpps.participation.weighting import Respondent, census_weights
from cpps.processes.models import Process, ProcessState
from tests.support.participation import sender

pytestmark = pytest.mark.django_db


@pytest.fixture
def citywide(chicago):
    """The demo's published survey: 240 synthetic answers grounded in the Police Sentiment Scores."""
    return Process.objects.get(jurisdiction=chicago, kind="survey", state=ProcessState.PUBLISHED)


def test_results_are_weighted_to_the_census(citywide):
    _ids, respondents = _respondents(citywide)
    census = survey_census(citywide)
    weighting = census_weights(respondents, census)
    assert weighting.weighted is True
    assert set(weighting.variables) == {"area", "age_band", "sex", "race_ethnicity"}
    young = np.array([r.groups.get("age_band") == "18_24" for r in respondents])
    adults = sum(v for k, v in census["age_band"].items())
    target = census["age_band"]["18_24"] / adults
    raw_share = young.mean()
    weighted_share = (weighting.weights * young).sum() / weighting.weights.sum()
    assert raw_share < target  # the demo's young residents answer less
    assert abs(weighted_share - target) < abs(raw_share - target)


def test_small_groups_are_withheld_and_intervals_contain_the_estimate(citywide):
    results = survey_results(process=citywide, language="en")
    assert results.responses == 240
    safety = next(q for q in results.questions if q.key == "safe_crime")
    assert 0 <= safety.overall.low < safety.overall.value < safety.overall.high <= 10
    figures = [f for b in safety.breakdowns for f in b.figures]
    shown = [f for f in figures if not f.suppressed]
    withheld = [f for f in figures if f.suppressed]
    assert shown
    assert withheld
    assert all(f.n >= 10 for f in shown)
    assert all(f.n is None and f.low is None for f in withheld)
    by_area = next(b for b in safety.breakdowns if b.variable == "area")
    assert any(f.group == "8 \N{EN DASH} Chicago Lawn" for f in by_area.figures)
    worries = next(q for q in results.questions if q.key == "worries")
    assert worries.by_area is not None
    published = worries.by_area.published()
    assert all(v is None or v == 0 or v >= 10 for row in published for v in row)


def test_text_answers_are_never_published(citywide):
    results = survey_results(process=citywide, language="en")
    text = next(q for q in results.questions if q.key == "safer_one_thing")
    assert text.overall is None
    assert not text.options


def test_everyone_sees_the_same_aggregates_including_police(citywide, accounts):
    public = Client().get(f"/j/chicago/surveys/{citywide.pk}/results/")
    police = Client()
    police.force_login(accounts["police_liaison"])
    page = police.get(f"/j/chicago/surveys/{citywide.pk}/results/")
    assert page.status_code == 200
    assert b"When it comes to the threat of crime" in page.content
    assert b"Not shown (fewer than 10 answers, or it would reveal such a group)" in page.content
    assert b"Who is missing" not in page.content  # the outreach report is for organisers
    assert police.get(f"/j/chicago/surveys/{citywide.pk}/answers.csv").status_code == 403
    assert public.status_code == 200


def test_organisers_see_who_is_missing(citywide, accounts):
    client = Client()
    client.force_login(accounts["facilitator"])
    page = client.get(f"/j/chicago/surveys/{citywide.pk}/results/").content.decode()
    assert "Who is missing (organisers)" in page
    assert "Do more outreach" in page


def test_open_data_exports_hold_only_suppressed_aggregates(citywide):
    document = json.loads(Client().get(f"/j/chicago/surveys/{citywide.pk}/results.json").content)
    assert document["responses"] == 240
    assert document["weighted"] is True
    for question in document["questions"]:
        for figures in question.get("breakdowns", {}).values():
            for figure in figures:
                assert figure["suppressed"] or figure["n"] >= 10
    rows = list(
        csv.reader(
            io.StringIO(
                Client().get(f"/j/chicago/surveys/{citywide.pk}/results.csv").content.decode()
            )
        )
    )
    assert rows[0][:4] == ["question", "measure", "breakdown", "group"]
    assert all(row[8] == "yes" or int(row[4]) >= 10 for row in rows[1:])


def test_interim_results_are_for_organisers_only(survey, accounts):
    assert (
        b"Results are published for everyone when the survey closes"
        in Client().get(f"/j/chicago/surveys/{survey.pk}/results/").content
    )
    # Not yet published: the request conflicts with the survey's state.
    assert Client().get(f"/j/chicago/surveys/{survey.pk}/results.csv").status_code == 409


def test_the_answer_export_neutralises_spreadsheet_formulas(survey, accounts):
    response_submit(
        process=survey,
        client_id="formula-0001",
        identity=sender("formula-0001", "web"),
        language="en",
        answers={"safer_one_thing": ['=HYPERLINK("http://evil","x")'], "safe_crime": ["4"]},
    )
    client = Client()
    client.force_login(accounts["facilitator"])
    body = client.get(f"/j/chicago/surveys/{survey.pk}/answers.csv").content.decode()
    rows = list(csv.reader(io.StringIO(body)))
    column = rows[0].index("safer_one_thing")
    assert rows[1][column] == '\'=HYPERLINK("http://evil","x")'
    assert rows[1][rows[0].index("safe_crime")] == "4"
    assert "pseudonym" not in rows[0]


@pytest.mark.parametrize("cell", ["=1+1", "+cmd", "-2+3", "@SUM(A1)", "\t=x"])
def test_formula_cells_get_a_quote(cell):
    assert neutralise(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["-3", "4.5", "plain", ""])
def test_ordinary_cells_are_left_alone(cell):
    assert neutralise(cell) == cell


def test_too_few_answers_are_left_unweighted():
    weighting = census_weights(
        [Respondent(groups={"sex": "female"})] * 5, {"sex": {"female": 1, "male": 1}}
    )
    assert weighting.weighted is False
    assert weighting.note == "too_few"
