"""One small-cell rule for every page and export: the policy itself (Hypothesis), and the same
decisions on the survey's results page, its CSV and JSON, the API and the open-data table, which
all move together when the one threshold setting moves."""

from __future__ import annotations

import csv
import io

import numpy as np
import pytest
from django.test import Client
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from cpps.common.disclosure import count_shown, counts_suppressed, groups_withheld
from cpps.processes.models import Process
from tests.engines.privacy.test_privacy_suppression import attacker_bounds

SIZES = st.sampled_from([0, 1, 2, 3, 5, 8, 9, 10, 11, 25, 40, 120])


@pytest.fixture
def small_threshold(settings):
    settings.SMALL_CELL_THRESHOLD = 10
    return 10


@given(
    st.lists(st.tuples(SIZES, st.booleans()), min_size=1, max_size=8),
    st.sampled_from([3, 5, 10]),
)
@settings(max_examples=150, deadline=None)
def test_no_shown_group_is_small_and_no_withheld_one_follows_from_the_total(groups, threshold):
    from django.conf import settings as django_settings

    django_settings.SMALL_CELL_THRESHOLD = threshold
    try:
        sizes = [size for size, _hidden in groups]
        unpublished = [hidden for _size, hidden in groups]
        withheld = groups_withheld(sizes, unpublished=unpublished)
        for size, held in zip(sizes, withheld, strict=True):
            assert held or not 0 < size < threshold
            assert held or count_shown(size)
        small_withheld = any(0 < s < threshold for s in sizes)
        if small_withheld and len(sizes) > 1:
            # The total minus the shown groups is the sum of two or more withheld ones.
            assert sum(withheld) >= 2
    finally:
        django_settings.SMALL_CELL_THRESHOLD = 10


@given(
    arrays(np.int64, st.tuples(st.integers(1, 4), st.integers(1, 4)), elements=SIZES),
    st.booleans(),
)
@settings(max_examples=60, deadline=None)
def test_no_table_cell_below_the_threshold_is_shown_or_recoverable(cells, column_totals):
    """Through the policy (threshold from the settings, 10), with or without published column
    totals: every shown count is 0 or at least 10, and every small count keeps a range of at
    least one person for an attacker who knows everything shown and that counts are >= 0."""
    table = counts_suppressed(cells.tolist(), column_totals=column_totals)
    published = table.published()
    assert all(v is None or v == 0 or v >= 10 for row in published for v in row)
    if not column_totals:
        assert all(value is None for value in published[-1])
    for cell, (low, high) in attacker_bounds(published).items():
        if table.primary[cell]:
            assert high - low >= 1 - 1e-9, f"cell {cell} pinned to {low}"


def withheld_in_csv(body: bytes) -> set[tuple[str, str, str]]:
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8"))))
    return {
        (row["question"], row["breakdown"], row["group"])
        for row in rows
        if row["suppressed"] == "yes"
    }


def withheld_in_json(document: dict) -> set[tuple[str, str, str]]:
    withheld = set()
    for question in document["questions"]:
        if "mean_0_10" in question and question["mean_0_10"]["suppressed"]:
            withheld.add((question["key"], "", "all"))
        for variable, figures in question.get("breakdowns", {}).items():
            withheld |= {
                (question["key"], variable, f["group"]) for f in figures if f["suppressed"]
            }
        for share in question.get("shares", []):
            if share["suppressed"]:
                withheld.add((question["key"], "option", share["option"]))
    return withheld


@pytest.mark.django_db
@pytest.mark.parametrize("threshold", [10, 40])
def test_every_page_and_export_withholds_the_same_figures(chicago, accounts, settings, threshold):
    """The published survey: results page, results.csv, results.json, the API and the
    open-data table withhold exactly the same figures, and a larger threshold withholds more
    on all of them at once; the priorities, scorecard and conversation pages follow it too."""
    settings.SMALL_CELL_THRESHOLD = threshold
    survey = Process.objects.get(jurisdiction=chicago, kind="survey", state="published")
    client = Client()
    base = f"/j/chicago/surveys/{survey.pk}"
    from_csv = withheld_in_csv(client.get(f"{base}/results.csv").content)
    from_open_data = withheld_in_csv(
        client.get(f"/j/chicago/data/survey-{survey.pk}-results.csv").content
    )
    from_json = withheld_in_json(client.get(f"{base}/results.json").json())
    from_api = withheld_in_json(
        client.get(f"/api/jurisdictions/chicago/surveys/{survey.pk}/results").json()
    )
    assert from_csv == from_open_data == from_json == from_api
    assert from_csv  # the demo has groups small enough to withhold at 10
    rows = list(csv.DictReader(io.StringIO(client.get(f"{base}/results.csv").content.decode())))
    assert all(int(row["n"]) >= threshold for row in rows if row["suppressed"] == "no")
    page = client.get(f"{base}/results/").content.decode()
    assert f"Not shown (fewer than {threshold} answers, or it would reveal such a group)" in page
    document = client.get(f"/j/chicago/data/survey-{survey.pk}-results.json").json()
    assert document["suppression"]["threshold"] == threshold
    catalogue = client.get("/j/chicago/data/").content.decode()
    assert f"Counts of 1 to {threshold - 1} people are withheld" in catalogue


@pytest.mark.django_db
def test_a_larger_threshold_withholds_more_everywhere(chicago, settings):
    survey = Process.objects.get(jurisdiction=chicago, kind="survey", state="published")
    path = f"/j/chicago/surveys/{survey.pk}/results.csv"
    settings.SMALL_CELL_THRESHOLD = 10
    at_ten = withheld_in_csv(Client().get(path).content)
    settings.SMALL_CELL_THRESHOLD = 10_000
    everything = withheld_in_csv(Client().get(path).content)
    assert at_ten < everything
    rows = list(csv.DictReader(io.StringIO(Client().get(path).content.decode())))
    assert all(row["suppressed"] == "yes" for row in rows)
    scorecard = Process.objects.get(jurisdiction=chicago, kind="scorecard")
    page = Client().get(f"/j/chicago/accountability/scorecards/{scorecard.pk}/results/")
    assert b"Too few ratings to show." in page.content or b"No ratings yet." in page.content
    board = list(
        csv.DictReader(
            io.StringIO(Client().get("/j/chicago/accountability/commitments.csv").content.decode())
        )
    )
    assert all(row["resident_score"] == "" for row in board)
    conversation = Process.objects.get(jurisdiction=chicago, kind="deliberation")
    page = Client().get(f"/j/chicago/conversations/{conversation.pk}/results/").content.decode()
    assert "withheld (small group)" in page
