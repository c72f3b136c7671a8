"""Stored results: counts folded in as responses are sealed give the same results as every answer
read one by one; folding is idempotent; a refresh whose worker died runs again; verify-results
names a count that no longer matches the answers."""

from __future__ import annotations

import math
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db.models import F
from django.utils import timezone

from cpps.common.watchdog import stuck_work_recover
from cpps.listening import selectors
from cpps.listening.exports import results_document
from cpps.listening.models import (
    RefreshState,
    ResponseSeal,
    ResultCell,
    ResultCount,
    ResultSnapshot,
    ResultTally,
)
from cpps.listening.selectors import (
    seal_records,
    survey_results,
    survey_results_from_answers,
    survey_trends,
)
from cpps.listening.services import response_submit, responses_seal
from cpps.listening.tallies import results_verify, tally_fold
from cpps.participation.weighting import Figure
from cpps.processes.models import Process, ProcessState
from tests.support.participation import sender

pytestmark = pytest.mark.django_db


@pytest.fixture
def citywide(chicago):
    """The demo's published survey: 240 answers drawn from the Police Sentiment Scores and the
    census of Chicago's police districts, sealed when it closed."""
    return Process.objects.get(jurisdiction=chicago, kind="survey", state=ProcessState.PUBLISHED)


def submit(survey, client_id, area="8", **demographics):
    response_submit(
        process=survey,
        client_id=client_id,
        identity=sender(client_id, "web"),
        language="en",
        answers={
            "safe_day": [str(len(client_id) % 11)],
            "worries": ["theft", "traffic"],
            "police_contact": ["no"],
        },
        area_code=area,
        demographics=demographics or {"age_band": "25_34", "sex": "female"},
    )


def assert_figures_equal(stored: Figure | None, recomputed: Figure | None) -> None:
    assert (stored is None) == (recomputed is None)
    if stored is None or recomputed is None:
        return
    assert (stored.group, stored.n, stored.suppressed) == (
        recomputed.group,
        recomputed.n,
        recomputed.suppressed,
    )
    for mine, theirs in (
        (stored.value, recomputed.value),
        (stored.low, recomputed.low),
        (stored.high, recomputed.high),
    ):
        assert (mine is None) == (theirs is None)
        if mine is not None and theirs is not None:
            assert math.isclose(mine, theirs, rel_tol=1e-9, abs_tol=1e-12)


def assert_results_equal(stored, recomputed) -> None:
    assert stored.responses == recomputed.responses
    assert stored.threshold == recomputed.threshold
    for name in ("weighted", "variables", "note"):
        assert getattr(stored.weighting, name) == getattr(recomputed.weighting, name)
    assert math.isclose(stored.weighting.effective_n, recomputed.weighting.effective_n)
    assert [q.key for q in stored.questions] == [q.key for q in recomputed.questions]
    for mine, theirs in zip(stored.questions, recomputed.questions, strict=True):
        assert (mine.kind, mine.text, mine.answered) == (theirs.kind, theirs.text, theirs.answered)
        assert_figures_equal(mine.overall, theirs.overall)
        assert [(b.variable, b.title) for b in mine.breakdowns] == [
            (b.variable, b.title) for b in theirs.breakdowns
        ]
        for ours, reference in zip(mine.breakdowns, theirs.breakdowns, strict=True):
            assert len(ours.figures) == len(reference.figures)
            for figure, expected in zip(ours.figures, reference.figures, strict=True):
                assert_figures_equal(figure, expected)
        assert [label for label, _f in mine.options] == [label for label, _f in theirs.options]
        for (_label, figure), (_same, expected) in zip(mine.options, theirs.options, strict=True):
            assert_figures_equal(figure, expected)
        if mine.by_area is None or theirs.by_area is None:
            assert mine.by_area is theirs.by_area
        else:
            assert mine.by_area.row_labels == theirs.by_area.row_labels
            assert mine.by_area.published() == theirs.by_area.published()
    assert results_document(stored) == results_document(recomputed)


@pytest.mark.parametrize("language", ["en", "es"])
def test_stored_results_equal_the_results_of_every_answer(citywide, language):
    """The demo survey's results read from its stored counts are those of its 240 answers read
    one by one: the same weights, figures, intervals and withheld groups."""
    snapshot = ResultSnapshot.objects.get(tally__process=citywide, verified_only=False)
    assert snapshot.tally_version == ResultTally.objects.get(process=citywide).version
    assert_results_equal(
        survey_results(process=citywide, language=language),
        survey_results_from_answers(process=citywide, language=language),
    )


def test_the_counts_are_exactly_the_sealed_answers(citywide):
    tally = ResultTally.objects.get(process=citywide)
    assert tally.responses == 240
    assert tally.sealed_through == ResponseSeal.objects.filter(process=citywide).count()
    assert results_verify(process=citywide) == (1, [])


def test_the_results_page_reads_no_answers(citywide, django_assert_max_num_queries):
    """Reading the results costs a handful of queries, none of them over answers."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        survey_results(process=citywide, language="en")
    assert len(queries) <= 6
    assert not any("listening_answer" in query["sql"] for query in queries.captured_queries)


def test_responses_count_once_they_are_sealed(survey, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        submit(survey, "tally-open-01")
        submit(survey, "tally-open-02", age_band="65_plus", sex="male")
        assert survey_results(process=survey, language="en").responses == 0
        assert selectors.response_count(process=survey) == 2
        responses_seal(process=survey)
    assert ResultSnapshot.objects.get(tally__process=survey).tally_version == 1
    results = survey_results(process=survey, language="en")
    assert results.responses == 2
    day = next(q for q in results.questions if q.key == "safe_day")
    assert day.answered == 2
    assert selectors.response_count(process=survey) == 2
    assert_results_equal(results, survey_results_from_answers(process=survey, language="en"))


def test_folding_a_seal_twice_changes_nothing(survey):
    for n in range(3):
        submit(survey, f"tally-twice-{n:02d}")
    seal = responses_seal(process=survey)
    tally = ResultTally.objects.get(process=survey)
    counts = sorted(ResultCount.objects.values_list("question", "kind", "value", "count"))
    records = seal_records(seal.responses.values_list("pk", flat=True))
    tally_fold(process=survey, seal=seal, records=records)
    again = ResultTally.objects.get(process=survey)
    assert (again.responses, again.version, again.sealed_through) == (3, tally.version, 1)
    assert sorted(ResultCount.objects.values_list("question", "kind", "value", "count")) == counts
    assert ("worries", "c", "theft", 3) in counts
    assert results_verify(process=survey) == (1, [])


def test_a_seal_folded_after_missing_ones_counts_everything_afresh(survey):
    """Counts that missed earlier seals (kept before counting began) are recounted whole."""
    submit(survey, "tally-gap-01")
    responses_seal(process=survey)
    ResultTally.objects.filter(process=survey).delete()
    submit(survey, "tally-gap-02")
    responses_seal(process=survey)
    tally = ResultTally.objects.get(process=survey)
    assert (tally.responses, tally.sealed_through) == (2, 2)
    assert results_verify(process=survey) == (1, [])


def test_surveys_sealed_before_counting_began_are_counted_by_the_watchdog(
    survey, django_capture_on_commit_callbacks
):
    """A database from before results were counted (no tally at all) shows its answers within
    the watchdog's minute, without anyone running rebuild-results."""
    submit(survey, "tally-old-01")
    submit(survey, "tally-old-02")
    responses_seal(process=survey)
    ResultTally.objects.filter(process=survey).delete()
    with django_capture_on_commit_callbacks(execute=True):
        stuck_work_recover()
    tally = ResultTally.objects.get(process=survey)
    assert (tally.responses, tally.sealed_through) == (2, 1)
    assert not tally.stale
    assert results_verify(process=survey) == (1, [])


def test_a_refresh_whose_worker_died_runs_again(survey, django_capture_on_commit_callbacks):
    submit(survey, "tally-crash-01")
    responses_seal(process=survey)  # its refresh never ran (the callback is dropped)
    tally = ResultTally.objects.get(process=survey)
    assert tally.stale
    # The worker died while running it: the refresh is left running, with no snapshot.
    ResultTally.objects.filter(pk=tally.pk).update(
        refresh_state=RefreshState.RUNNING,
        refresh_started_at=timezone.now() - timedelta(hours=2),
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert stuck_work_recover()["survey results"] == 1
    recovered = ResultTally.objects.get(pk=tally.pk)
    assert recovered.refresh_state == RefreshState.IDLE
    assert not recovered.stale
    assert ResultSnapshot.objects.get(tally=tally).tally_version == tally.version
    with django_capture_on_commit_callbacks(execute=True):
        assert stuck_work_recover()["survey results"] == 0  # nothing left to do


def test_a_failed_refresh_is_retried_by_the_watchdog(
    survey, django_capture_on_commit_callbacks, monkeypatch
):
    from cpps.listening import tallies

    def broken(**_kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(tallies, "results_compute", broken)
    # In-process tasks: the failure is recorded on the tally (a worker would log it too).
    with django_capture_on_commit_callbacks(execute=True):
        submit(survey, "tally-fail-01")
        responses_seal(process=survey)
    tally = ResultTally.objects.get(process=survey)
    assert (tally.refresh_state, tally.refresh_error, tally.stale) == ("idle", "disk full", True)
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        assert stuck_work_recover()["survey results"] == 1
    assert not ResultTally.objects.get(pk=tally.pk).stale


def test_verify_results_names_a_tampered_count(citywide):
    count = ResultCount.objects.filter(
        cell__tally__process=citywide, question="safe_night", kind="n"
    ).first()
    ResultCount.objects.filter(pk=count.pk).update(count=F("count") + 1)
    with pytest.raises(CommandError) as failure:
        call_command("survey", "verify-results", "--survey", str(citywide.pk))
    message = str(failure.value)
    assert f"survey {citywide.pk}: question 'safe_night', answers {count.value} in cell" in message
    assert f"{count.count + 1} counted, {count.count} in the answers" in message
    call_command("survey", "rebuild-results", "--survey", str(citywide.pk))
    call_command("survey", "verify-results", "--survey", str(citywide.pk))
    assert_results_equal(
        survey_results(process=citywide, language="en"),
        survey_results_from_answers(process=citywide, language="en"),
    )


def test_verify_results_names_a_missing_cell(citywide):
    cell = ResultCell.objects.filter(tally__process=citywide).order_by("-respondents").first()
    ResultCell.objects.filter(pk=cell.pk).update(respondents=0)
    checked, problems = results_verify(process=citywide)
    assert checked == 1
    assert any(f"holds 0 responses, the answers {cell.respondents}" in str(p) for p in problems)


def test_verify_results_refuses_an_unknown_survey(chicago):
    with pytest.raises(CommandError, match="There is no survey number 999999"):
        call_command("survey", "verify-results", "--survey", "999999")


def test_trends_follow_a_standard_question_across_waves(citywide, survey, accounts):
    from cpps.processes.services import process_transition

    for n in range(12):
        submit(survey, f"tally-wave-{n:02d}")
    process_transition(user=accounts["facilitator"], process=survey, to_state="closed")
    trends = {
        trend.bank_key: trend
        for trend in survey_trends(jurisdiction=citywide.jurisdiction, language="en")
    }
    day = trends["safe_day"]
    assert [point.process for point in day.points] == [citywide, survey]
    first = next(
        q for q in survey_results(process=citywide, language="en").questions if q.key == "safe_day"
    )
    assert day.points[0].figure == first.overall
    assert day.points[0].answered == first.answered
    assert day.points[1].answered == 12
    in_eight = survey_trends(jurisdiction=citywide.jurisdiction, language="en", area_code="8")
    assert all(point.figure.group.startswith("8 ") for t in in_eight for point in t.points)


def test_the_page_shows_new_figures_as_soon_as_they_are_stored(
    survey, accounts, django_capture_on_commit_callbacks
):
    """The page keeps its rendered figures under the stored counts' version, so a new seal
    shows at once."""
    from django.test import Client

    client = Client()
    client.force_login(accounts["facilitator"])
    page = f"/j/chicago/surveys/{survey.pk}/results/"
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(10):
            submit(survey, f"tally-page-{n:02d}")
        responses_seal(process=survey)
    before = client.get(page).content.decode()
    assert survey_results(process=survey, language="en").version == "stored-1"
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(10, 25):
            submit(survey, f"tally-page-{n:02d}")
        responses_seal(process=survey)
    after = client.get(page).content.decode()
    assert survey_results(process=survey, language="en").version == "stored-2"
    assert before.count(">10<") > after.count(">10<")
    assert ">25<" in after
