"""Reads for surveys. Published results are aggregates only, weighted to the census, with small
groups withheld; answer-level data is returned to facilitators alone."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, fields, replace
from typing import TYPE_CHECKING, Any

import numpy as np
from django.db.models import QuerySet, Sum
from django.http import Http404
from django.utils.translation import gettext as _

from cpps.accounts.policy import Action, require
from cpps.common.disclosure import counts_suppressed, small_cell_threshold
from cpps.common.hooks import IntegrityReport
from cpps.common.memo import BriefMemo
from cpps.engines.auditchain import batch_digest
from cpps.engines.privacy import SuppressedTable
from cpps.engines.weighting import Estimate, RepresentationRow
from cpps.jurisdictions.models import Area
from cpps.listening.models import (
    SURVEY_KIND,
    Answer,
    CountKind,
    Instrument,
    Question,
    QuestionKind,
    Response,
    ResponseSeal,
    ResultCell,
    ResultCount,
    ResultSnapshot,
    ResultTally,
)
from cpps.participation.demographics import QUESTIONS as DEMOGRAPHIC_QUESTIONS
from cpps.participation.weighting import (
    CENSUS_VARIABLES,
    Figure,
    Respondent,
    Weighting,
    census_weights,
    mean_estimates,
    mean_figures,
    mean_figures_of,
    missing_groups,
    process_areas,
    process_census,
    share_estimate,
    share_figure,
    share_figures,
)
from cpps.processes.models import Process

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from cpps.accounts.models import User
    from cpps.jurisdictions.models import Jurisdiction


def survey_get(*, jurisdiction: Jurisdiction, pk: int) -> Process:
    try:
        return Process.objects.select_related("jurisdiction").get(
            jurisdiction=jurisdiction, pk=pk, kind=SURVEY_KIND
        )
    except Process.DoesNotExist as missing:
        raise Http404(pk) from missing


def survey_get_by_slug(*, slug: str, pk: int) -> Process:
    """The survey with its jurisdiction, in one query (for the submission endpoint)."""
    try:
        return Process.objects.select_related("jurisdiction").get(
            jurisdiction__slug=slug, pk=pk, kind=SURVEY_KIND
        )
    except Process.DoesNotExist as missing:
        raise Http404(pk) from missing


# How long a worker trusts a survey it looked up for a submission. Only the state can change
# meanwhile, and the insert itself checks that (see services.response_submit).
_SUBMISSION_TARGETS: BriefMemo[Process] = BriefMemo(seconds=2.0)


def survey_for_submission(*, slug: str, pk: int) -> Process:
    """`survey_get_by_slug`, remembered briefly: submissions arrive in bursts for one survey."""
    return _SUBMISSION_TARGETS.get((slug, pk), lambda: survey_get_by_slug(slug=slug, pk=pk))


def survey_get_by_pk(*, pk: int) -> Process:
    try:
        return Process.objects.select_related("jurisdiction").get(pk=pk, kind=SURVEY_KIND)
    except Process.DoesNotExist as missing:
        raise Http404(pk) from missing


def instrument_list(*, process: Process) -> QuerySet[Instrument]:
    return Instrument.objects.filter(process=process).prefetch_related("questions")


def survey_areas(process: Process) -> list[Area]:
    """The areas a survey covers: its own, or every area of the jurisdiction."""
    return process_areas(process)


def survey_census(process: Process) -> dict[str, dict[str, float]]:
    """Census counts of adults over the survey's areas (see `process_census`)."""
    return process_census(process)


@dataclass(frozen=True)
class Breakdown:
    variable: str
    title: str
    figures: list[Figure]


@dataclass(frozen=True)
class QuestionResult:
    key: str
    kind: str
    text: str
    answered: int
    overall: Figure | None = None
    options: list[tuple[str, Figure]] = field(default_factory=list)
    breakdowns: list[Breakdown] = field(default_factory=list)
    by_area: SuppressedTable | None = None
    low_label: str = ""
    high_label: str = ""


@dataclass(frozen=True)
class SurveyResults:
    process: Process
    responses: int
    weighting: Weighting
    threshold: int
    questions: list[QuestionResult]
    # Which stored counts these results describe ("" when computed from every answer): pages
    # may keep what they render of them under this name.
    version: str = ""


def _completed(process: Process, *, verified_only: bool = False) -> QuerySet[Response]:
    completed = Response.objects.filter(process=process, completed_at__isnull=False)
    return completed.filter(participant__verified=True) if verified_only else completed


def _group_labels() -> dict[str, dict[str, str]]:
    labels = {
        q.key: {value: str(label) for value, label in q.choices} for q in DEMOGRAPHIC_QUESTIONS
    }
    labels["sex"]["female"], labels["sex"]["male"] = str(_("Women")), str(_("Men"))
    return labels


def _variable_titles() -> dict[str, str]:
    return {
        "area": _("By area"),
        "age_band": _("By age"),
        "sex": _("By sex"),
        "race_ethnicity": _("By race and ethnicity"),
    }


def _respondents(
    process: Process, *, verified_only: bool = False
) -> tuple[list[int], list[Respondent]]:
    rows = _completed(process, verified_only=verified_only).values_list(
        "pk", "area__code", "participant__demographics"
    )
    ids, respondents = [], []
    for pk, code, demographics in rows.order_by("pk"):
        groups = {key: str(value) for key, value in (demographics or {}).items()}
        groups["area"] = code or ""
        ids.append(pk)
        respondents.append(Respondent(groups=groups))
    return ids, respondents


def survey_results_from_answers(
    *,
    process: Process,
    language: str,
    verified_only: bool = False,
) -> SurveyResults:
    """`survey_results` computed from every completed response's answers, one row each: the
    reference the stored counts are checked against (tests, benchmarks). Never for a page."""
    threshold = small_cell_threshold()
    ids, respondents = _respondents(process, verified_only=verified_only)
    weighting = census_weights(respondents, survey_census(process))
    position = {pk: index for index, pk in enumerate(ids)}
    answers: dict[str, dict[int, Answer]] = defaultdict(dict)
    for answer in Answer.objects.filter(response__in=ids, skipped=False).select_related("question"):
        answers[answer.question.key][answer.response_id] = answer
    questions = _latest_questions(process)
    areas = {area.code: area.name for area in survey_areas(process)}
    labels = _group_labels() | {"area": areas}
    results = []
    for question in questions:
        given = answers.get(question.key, {})
        common = {
            "key": question.key,
            "kind": question.kind,
            "text": question.text(language),
            "answered": len(given),
        }
        if question.kind == QuestionKind.TEXT or not given:
            results.append(QuestionResult(**common))  # type: ignore[arg-type]
            continue
        if question.kind == QuestionKind.SCALE:
            values = [float("nan")] * len(ids)
            for response_id, answer in given.items():
                values[position[response_id]] = float(answer.number or 0)
            groups = {
                variable: [r.groups.get(variable, "") for r in respondents]
                for variable in CENSUS_VARIABLES
            }
            overall, by = mean_figures(values, weighting.weights, groups)
            results.append(
                _scale_result(
                    common,
                    question=question,
                    language=language,
                    overall=overall,
                    by=by,
                    labels=labels,
                )
            )
            continue
        options = question.choice_labels(language)
        chosen: list[list[str] | None] = [None] * len(ids)
        for response_id, answer in given.items():
            chosen[position[response_id]] = list(answer.choices)
        figures = share_figures(chosen, [value for value, _label in options], weighting.weights)
        results.append(
            QuestionResult(
                **common,  # type: ignore[arg-type]
                options=[
                    (label, figure)
                    for (_value, label), figure in zip(options, figures, strict=True)
                ],
                by_area=_area_table(respondents, chosen, options, areas),
            )
        )
    return SurveyResults(process, len(ids), weighting, threshold, results)


def _scale_result(
    common: dict[str, Any],
    *,
    question: Question,
    language: str,
    overall: Figure,
    by: dict[str, list[Figure]],
    labels: dict[str, dict[str, str]],
) -> QuestionResult:
    titles = _variable_titles()
    breakdowns = [
        Breakdown(
            variable,
            titles[variable],
            [
                _relabel(f, labels.get(variable, {}))
                for f in _ordered(by[variable], labels.get(variable, {}))
            ],
        )
        for variable in CENSUS_VARIABLES
        if by.get(variable)
    ]
    low, high = question.scale_labels(language)
    return QuestionResult(
        **common,
        overall=overall,
        breakdowns=breakdowns,
        low_label=low,
        high_label=high,
    )


def _ordered(figures: list[Figure], labels: dict[str, str]) -> list[Figure]:
    order = {value: index for index, value in enumerate(labels)}
    return sorted(figures, key=lambda f: (order.get(f.group, len(order)), f.group))


def _relabel(figure: Figure, labels: dict[str, str]) -> Figure:
    return Figure(
        labels.get(figure.group, figure.group), figure.n, figure.value, figure.low, figure.high
    )


def _area_table(
    respondents: list[Respondent],
    chosen: list[list[str] | None],
    options: list[tuple[str, str]],
    areas: dict[str, str],
) -> SuppressedTable | None:
    """Answer counts by area and option, with small cells (and their complements) withheld."""
    column_of = {value: i for i, (value, _label) in enumerate(options)}
    by_code: dict[str, list[int]] = {}
    for respondent, picked in zip(respondents, chosen, strict=True):
        counts = by_code.setdefault(respondent.groups.get("area", ""), [0] * len(options))
        for value in picked or ():
            counts[column_of[value]] += 1
    return _area_table_of(by_code, options, areas)


def _area_table_of(
    by_code: dict[str, list[int]], options: list[tuple[str, str]], areas: dict[str, str]
) -> SuppressedTable | None:
    """The counts of the areas with respondents, in the areas' order, as published."""
    codes = [code for code in areas if code in by_code]
    if not codes:
        return None
    return counts_suppressed(
        [by_code[code] for code in codes],
        row_labels=[areas[code] for code in codes],
        column_labels=[label for _value, label in options],
    )


def _latest_questions(process: Process) -> list[Question]:
    """Each question key once, worded as in the latest published version that has it."""
    seen: dict[str, Question] = {}
    for question in Question.objects.filter(
        instrument__process=process, instrument__state="published"
    ).order_by("-instrument__version", "position"):
        seen.setdefault(question.key, question)
    return sorted(seen.values(), key=lambda q: (q.position, q.key))


MIN_ALERT_SHARE = 0.01


@dataclass(frozen=True)
class RepresentationLine:
    """One group's share of the answers against its share of the census, ready to show."""

    variable: str
    group: str
    answers: int
    answer_share: float
    census_share: float
    missing: bool


def survey_representativeness(
    *, user: User | AnonymousUser, process: Process
) -> list[RepresentationLine]:
    """Who is missing so far (community roles, while the survey runs)."""
    require(user, Action.CONVENE_PROCESS, process.jurisdiction)
    tally = ResultTally.objects.filter(process=process).first()
    cells = (
        _tally_cells(tally, verified_only=False)
        if tally is not None
        else _Cells([], [], np.zeros(0))
    )
    rows: list[RepresentationRow] = missing_groups(
        cells.respondents, survey_census(process), counts=[int(n) for n in cells.people]
    )
    labels = _group_labels() | {"area": {a.code: a.name for a in survey_areas(process)}}
    titles = {
        "area": _("Area"),
        "age_band": _("Age"),
        "sex": _("Sex"),
        "race_ethnicity": _("Race and ethnicity"),
    }
    return [
        RepresentationLine(
            variable=titles.get(row.variable, row.variable),
            group=labels.get(row.variable, {}).get(row.category, row.category),
            answers=row.sample_count,
            answer_share=row.sample_share,
            census_share=row.target_share,
            # A group under 1% of residents is too small to chase with outreach on its own.
            missing=row.status == "under" and row.target_share >= MIN_ALERT_SHARE,
        )
        for row in rows
    ]


def response_count(*, process: Process, verified_only: bool = False) -> int:
    """Sent responses: those the counts hold (every sealed one) and those awaiting a seal."""
    return _sealed_count(process, verified_only=verified_only) + _waiting(
        process, verified_only=verified_only
    )


def _sealed_count(process: Process, *, verified_only: bool = False) -> int:
    if verified_only:
        total = ResultCell.objects.filter(tally__process=process, verified=True).aggregate(
            total=Sum("respondents")
        )["total"]
        return int(total or 0)
    tally = ResultTally.objects.filter(process=process).values_list("responses", flat=True)
    return int(next(iter(tally), 0))


def _waiting(process: Process, *, verified_only: bool = False) -> int:
    """Sent responses not yet sealed (read through the index of unsealed responses)."""
    return _completed(process, verified_only=verified_only).filter(seal__isnull=True).count()


@dataclass(frozen=True)
class SealSummary:
    sealed: int
    seals: int
    waiting: int


def seal_summary(*, process: Process) -> SealSummary:
    """How many sent responses the public record already vouches for, and how many await it."""
    return SealSummary(
        sealed=_sealed_count(process),
        seals=ResponseSeal.objects.filter(process=process).count(),
        waiting=_waiting(process),
    )


def raw_answer_rows(*, user: User | AnonymousUser, process: Process) -> Iterator[list[str]]:
    """Every completed response's answers, one row each (facilitators only, never phone data)."""
    require(user, Action.VIEW_PERSONAL_DATA, process.jurisdiction)
    questions = _latest_questions(process)
    demographic_keys = [q.key for q in DEMOGRAPHIC_QUESTIONS]
    yield ["response", "channel", "language", "version", "area", *demographic_keys] + [
        q.key for q in questions
    ]
    responses = _completed(process).select_related("instrument", "area", "participant")
    answers: dict[int, dict[str, str]] = defaultdict(dict)
    for answer in Answer.objects.filter(response__in=responses).select_related("question"):
        answers[answer.response_id][answer.question.key] = _answer_text(answer)
    for response in responses.order_by("pk"):
        demographics = response.participant.demographics or {}
        yield [
            str(response.pk),
            response.channel,
            response.language,
            str(response.instrument.version),
            response.area.code if response.area else "",
            *[str(demographics.get(key, "")) for key in demographic_keys],
            *[answers[response.pk].get(q.key, "") for q in questions],
        ]


def _answer_text(answer: Answer) -> str:
    if answer.skipped:
        return ""
    if answer.number is not None:
        return str(answer.number)
    if answer.choices:
        return ";".join(answer.choices)
    return answer.text


def seal_records(response_ids: Iterable[int]) -> list[dict[str, object]]:
    """The sealed content of these responses, one canonical record each, in id order.

    The pseudonym is part of each record: it is secret and high in entropy, so the published
    digest of even a one-response seal cannot be matched against guessed answers.
    """
    ids = sorted(response_ids)
    answers: dict[int, list[list[object]]] = defaultdict(list)
    # Plain rows rather than model instances: a seal reads tens of thousands of answers.
    for response_id, *answer in (
        Answer.objects.filter(response_id__in=ids)
        .order_by("response_id", "question__position")
        .values_list("response_id", "question__key", "choices", "number", "text", "skipped")
    ):
        answers[response_id].append(answer)
    responses = (
        Response.objects.filter(pk__in=ids)
        .order_by("pk")
        .values_list(
            "pk",
            "client_id",
            "instrument__version",
            "channel",
            "language",
            "area__code",
            "completed_at",
            "participant__pseudonym",
            "participant__demographics",
        )
    )
    return [
        {
            "response": pk,
            "client_id": client_id,
            "version": version,
            "channel": channel,
            "language": language,
            "area": area,
            "completed_at": completed_at.isoformat() if completed_at else None,
            "participant": pseudonym,
            "demographics": demographics,
            "answers": answers[pk],
        }
        for (
            pk,
            client_id,
            version,
            channel,
            language,
            area,
            completed_at,
            pseudonym,
            demographics,
        ) in responses
    ]


@dataclass(frozen=True)
class SealProblem:
    seal: ResponseSeal
    reason: str

    def __str__(self) -> str:
        return f"survey {self.seal.process_id}, seal #{self.seal.sequence}: {self.reason}"


def response_seals_verify(*, process: Process | None = None) -> tuple[int, list[SealProblem]]:
    """Recompute every seal's digest from the stored responses; return (checked, problems).

    A seal's own row could be rewritten together with the answers, so its digest and count are
    also compared with the audit event that published them (whose chain `cpps audit verify`
    checks).
    """
    seals = ResponseSeal.objects.select_related("audit_event").order_by("process", "sequence")
    if process is not None:
        seals = seals.filter(process=process)
    problems = []
    checked = 0
    sealed_ids: dict[int, dict[int, list[int]]] = {}
    for seal in seals:
        checked += 1
        if seal.process_id not in sealed_ids:
            # One pass over each survey's responses rather than one lookup per seal.
            by_seal: dict[int, list[int]] = defaultdict(list)
            for seal_id, response_id in Response.objects.filter(
                process_id=seal.process_id, seal__isnull=False
            ).values_list("seal_id", "pk"):
                by_seal[seal_id].append(response_id)
            sealed_ids[seal.process_id] = by_seal
        ids = sealed_ids[seal.process_id].get(seal.pk, [])
        published = seal.audit_event.payload if seal.audit_event else {}
        if published.get("digest") != seal.digest or published.get("count") != seal.count:
            problems.append(SealProblem(seal, "it no longer matches its audit event"))
        elif len(ids) != seal.count:
            problems.append(
                SealProblem(seal, f"it sealed {seal.count} responses, {len(ids)} remain")
            )
        elif batch_digest(seal_records(ids)) != seal.digest:
            problems.append(SealProblem(seal, "a sealed response was altered after sealing"))
    return checked, problems


def response_seals_integrity() -> IntegrityReport:
    """Every seal checked, as an operator's report (`cpps survey verify-seals`, `cpps restore`)."""
    checked, problems = response_seals_verify()
    return IntegrityReport(
        subject="survey response seals",
        checked=checked,
        problems=tuple(str(problem) for problem in problems),
    )


# --- Results from the stored counts --------------------------------------------------------------

# The census variables a cell records besides the area, in `CENSUS_VARIABLES` order.
CELL_VARIABLES = ("age_band", "sex", "race_ethnicity")
_ESTIMATE_FIELDS = tuple(field.name for field in fields(Estimate))


@dataclass(frozen=True)
class _Cells:
    """A tally's census cells (optionally the verified ones only) as the engine's rows."""

    ids: list[int]
    respondents: list[Respondent]
    people: np.ndarray

    def column(self, variable: str) -> list[str]:
        return [r.groups.get(variable, "") for r in self.respondents]


def _tally_cells(tally: ResultTally, *, verified_only: bool) -> _Cells:
    rows = ResultCell.objects.filter(tally=tally, respondents__gt=0)
    if verified_only:
        rows = rows.filter(verified=True)
    ids, respondents, people = [], [], []
    for pk, area, *groups, count in rows.order_by("pk").values_list(
        "pk", "area", *CELL_VARIABLES, "respondents"
    ):
        ids.append(pk)
        respondents.append(
            Respondent(groups={"area": area} | dict(zip(CELL_VARIABLES, groups, strict=True)))
        )
        people.append(count)
    return _Cells(ids, respondents, np.asarray(people, dtype=np.float64))


def _estimate_dump(estimate: Estimate | None) -> list[object] | None:
    """An estimate as JSON (non-finite numbers as null: PostgreSQL's JSON has no NaN)."""
    if estimate is None:
        return None
    values = [getattr(estimate, name) for name in _ESTIMATE_FIELDS]
    return [v if not isinstance(v, float) or np.isfinite(v) else None for v in values]


def _estimate_load(stored: list[object] | None) -> Estimate | None:
    if stored is None:
        return None
    values = dict(zip(_ESTIMATE_FIELDS, stored, strict=True))
    for name in ("population_share", "value", "standard_error", "low", "high"):
        values[name] = float("nan") if values[name] is None else values[name]
    for name in ("design_effect", "effective_n"):
        values[name] = float("nan") if values[name] is None else values[name]
    return Estimate(**values)  # type: ignore[arg-type]


def results_compute(*, tally: ResultTally, verified_only: bool = False) -> dict[str, Any]:
    """A survey's results from its counts, as the document a `ResultSnapshot` stores: weighted
    to the census exactly as `survey_results_from_answers` weights the answers one by one, in
    no language and with nothing withheld yet. Costs the number of census cells, not answers."""
    process = tally.process
    cells = _tally_cells(tally, verified_only=verified_only)
    weighting = census_weights(
        cells.respondents, survey_census(process), counts=[int(n) for n in cells.people]
    )
    row_of = {pk: index for index, pk in enumerate(cells.ids)}
    given: dict[str, dict[str, dict[tuple[int, str], int]]] = defaultdict(lambda: defaultdict(dict))
    counts = ResultCount.objects.filter(cell__tally=tally, cell__respondents__gt=0)
    if verified_only:
        counts = counts.filter(cell__verified=True)
    for cell_id, key, kind, value, count in counts.values_list(
        "cell_id", "question", "kind", "value", "count"
    ):
        if count:
            given[key][kind][(row_of[cell_id], value)] = count
    questions: dict[str, dict[str, Any]] = {}
    for question in _latest_questions(process):
        found = given.get(question.key, {})
        answered = np.zeros(len(cells.ids))
        for (row, _value), count in found.get(CountKind.ANSWERED, {}).items():
            answered[row] = count
        entry: dict[str, Any] = {"kind": question.kind, "answered": int(answered.sum())}
        if question.kind == QuestionKind.TEXT or not answered.any():
            questions[question.key] = entry
            continue
        if question.kind == QuestionKind.SCALE:
            entry["means"] = _scale_estimates(cells, weighting.weights, answered, found)
        else:
            options = [str(choice["value"]) for choice in question.choices]
            chosen = {
                option: _column_of(found.get(CountKind.CHOICE, {}), option, len(cells.ids))
                for option in options
            }
            entry["options"] = options
            entry["shares"] = [
                _estimate_dump(_share_estimate(weighting.weights, answered, chosen[option], cells))
                for option in options
            ]
            entry["by_area"] = _area_counts(cells, options, chosen)
        questions[question.key] = entry
    return {
        "responses": int(cells.people.sum()),
        "weighting": {
            "weighted": weighting.weighted,
            "variables": list(weighting.variables),
            "design_effect": weighting.design_effect,
            "effective_n": weighting.effective_n,
            "note": weighting.note,
        },
        "questions": questions,
    }


def _column_of(found: dict[tuple[int, str], int], value: str, rows: int) -> np.ndarray:
    column = np.zeros(rows)
    for (row, given), count in found.items():
        if given == value:
            column[row] += count
    return column


def _scale_estimates(
    cells: _Cells,
    weights: np.ndarray,
    answered: np.ndarray,
    found: dict[str, dict[tuple[int, str], int]],
) -> list[list[object] | None]:
    """Per cell, one row per number given (a missing number counts as 0, as the answers are
    read one by one) and one unanswered row for the rest of the cell's people."""
    rows, values, frequencies = [], [], []
    numbered = np.zeros(len(cells.ids))
    for (row, number), count in sorted(found.get(CountKind.NUMBER, {}).items()):
        rows.append(row)
        values.append(float(number))
        frequencies.append(count)
        numbered[row] += count
    for row in range(len(cells.ids)):
        for value, count in (
            (0.0, answered[row] - numbered[row]),
            (np.nan, cells.people[row] - answered[row]),
        ):
            if count > 0:
                rows.append(row)
                values.append(value)
                frequencies.append(count)
    index = np.asarray(rows, dtype=np.int64)
    groups = {
        variable: [cells.respondents[row].groups.get(variable, "") for row in rows]
        for variable in CENSUS_VARIABLES
    }
    estimates = mean_estimates(values, weights[index], groups, counts=frequencies)
    return [_estimate_dump(estimate) for estimate in estimates]


def _share_estimate(
    weights: np.ndarray, answered: np.ndarray, chosen: np.ndarray, cells: _Cells
) -> Estimate | None:
    """Per cell, the answers choosing the option (1), the others (0) and the unanswered (NaN)."""
    frequencies = np.concatenate([chosen, answered - chosen, cells.people - answered])
    indicator = np.repeat([1.0, 0.0, np.nan], len(cells.ids))
    keep = frequencies > 0
    return share_estimate(indicator[keep], np.tile(weights, 3)[keep], counts=frequencies[keep])


def _area_counts(
    cells: _Cells, options: list[str], chosen: dict[str, np.ndarray]
) -> dict[str, list[int]]:
    """Answers choosing each option per area code, for every area with respondents."""
    table: dict[str, list[int]] = {}
    for row, respondent in enumerate(cells.respondents):
        code = respondent.groups.get("area", "")
        if not code:
            continue
        counts = table.setdefault(code, [0] * len(options))
        for column, option in enumerate(options):
            counts[column] += int(chosen[option][row])
    return table


_NOTHING_SEALED: dict[str, Any] = {
    "responses": 0,
    "weighting": {
        "weighted": False,
        "variables": [],
        "design_effect": 1.0,
        "effective_n": 0.0,
        "note": "too_few",
    },
    "questions": {},
}


def survey_results(
    *,
    process: Process,
    language: str,
    verified_only: bool = False,
) -> SurveyResults:
    """Weighted results for every question of every published version, by question key; with
    ``verified_only``, from verified residents' answers alone. Small groups are withheld by the
    one rule of `cpps.common.disclosure`.

    Read from the results stored for the survey (computed from the counts of its sealed
    answers, see `cpps.listening.tallies`), so a page costs the same at a million answers as at
    a hundred; answers still waiting for the next seal (a minute at most) are not in them yet.
    Each worker keeps them labelled for a minute while the counts stay as they are, so a page
    view reads one small row.
    """
    counts = tuple(
        ResultTally.objects.filter(process=process).values_list("version", "refreshed_version")
    )
    key = (process.pk, language, verified_only, small_cell_threshold(), counts)
    return _LABELLED_RESULTS.get(
        key, lambda: _survey_results_read(process, language, verified_only=verified_only)
    )


# Results change only with the counts (the key), apart from a translated wording (a minute).
_LABELLED_RESULTS: BriefMemo[SurveyResults] = BriefMemo(seconds=60.0, max_entries=256)


def _survey_results_read(process: Process, language: str, *, verified_only: bool) -> SurveyResults:
    questions = _latest_questions(process)
    snapshot = (
        ResultSnapshot.objects.filter(tally__process=process, verified_only=verified_only)
        .only("document")
        .first()
    )
    document = snapshot.document if snapshot is not None else None
    version = f"stored-{snapshot.tally_version}" if snapshot is not None else ""
    if document is None or not _describes(document, questions):
        # Not refreshed yet (or the questions changed since): compute from the counts now.
        tally = ResultTally.objects.filter(process=process).first()
        if tally is None:
            document, version = _NOTHING_SEALED, "none"
        else:
            tally.process = process
            document = results_compute(tally=tally, verified_only=verified_only)
            version = f"counted-{tally.version}"
    results = _results_of(process, document, questions, language)
    return replace(results, version=version)


def _describes(document: dict[str, Any], questions: list[Question]) -> bool:
    """Whether stored results were computed for these questions (kinds and options)."""
    stored = document["questions"]
    return all(
        question.key in stored
        and stored[question.key]["kind"] == question.kind
        and stored[question.key].get("options", [str(c["value"]) for c in question.choices])
        == [str(c["value"]) for c in question.choices]
        for question in questions
    )


def _results_of(
    process: Process, document: dict[str, Any], questions: list[Question], language: str
) -> SurveyResults:
    """Stored results labelled in ``language``, small groups withheld by the one rule."""
    areas = {area.code: area.name for area in survey_areas(process)}
    labels = _group_labels() | {"area": areas}
    results = []
    for question in questions:
        entry = document["questions"].get(question.key, {})
        common: dict[str, Any] = {
            "key": question.key,
            "kind": question.kind,
            "text": question.text(language),
            "answered": int(entry.get("answered", 0)),
        }
        if "means" in entry:
            estimates = [_estimate_load(e) for e in entry["means"]]
            overall, by = mean_figures_of(
                [e for e in estimates if e is not None], list(CENSUS_VARIABLES)
            )
            results.append(
                _scale_result(
                    common,
                    question=question,
                    language=language,
                    overall=overall,
                    by=by,
                    labels=labels,
                )
            )
        elif "shares" in entry:
            options = question.choice_labels(language)
            figures = [
                share_figure(_estimate_load(stored), value)
                for (value, _label), stored in zip(options, entry["shares"], strict=True)
            ]
            results.append(
                QuestionResult(
                    **common,
                    options=[
                        (label, figure)
                        for (_value, label), figure in zip(options, figures, strict=True)
                    ],
                    by_area=_area_table_of(entry["by_area"], options, areas),
                )
            )
        else:
            results.append(QuestionResult(**common))
    stored = document["weighting"]
    weighting = Weighting(
        weights=np.ones(0),
        weighted=bool(stored["weighted"]),
        variables=tuple(stored["variables"]),
        design_effect=float(stored["design_effect"]),
        effective_n=float(stored["effective_n"]),
        note=str(stored["note"]),
    )
    return SurveyResults(
        process, int(document["responses"]), weighting, small_cell_threshold(), results
    )


# --- Trends across waves -------------------------------------------------------------------------


@dataclass(frozen=True)
class TrendPoint:
    """One wave's weighted figure for a question (withheld like any figure of a small group)."""

    process: Process
    figure: Figure
    # Answers behind the figure (0 when the area's figure is withheld).
    answered: int


@dataclass(frozen=True)
class QuestionTrend:
    """A standard question (linked across surveys by its question-bank key) wave by wave."""

    bank_key: str
    text: str
    low_label: str
    high_label: str
    points: list[TrendPoint]


def survey_trends(
    *, jurisdiction: Jurisdiction, language: str, area_code: str | None = None
) -> list[QuestionTrend]:
    """The mean of every 0-10 standard question across the jurisdiction's published surveys
    (each a wave, oldest first), for everyone or for one area; read from the stored results,
    so it costs the number of waves and questions, never the number of answers. Public: the
    dashboards read it."""
    waves = Process.objects.filter(
        jurisdiction=jurisdiction,
        kind=SURVEY_KIND,
        state__in=["closed", "published"],
    ).select_related("jurisdiction")
    area_name = None
    if area_code is not None:
        area = Area.objects.filter(jurisdiction=jurisdiction, code=area_code).first()
        if area is None:
            raise Http404(area_code)
        area_name = area.name
    trends: dict[str, QuestionTrend] = {}
    for process in sorted(waves, key=lambda p: (p.closes_on or p.created_at.date(), p.pk)):
        bank_keys = dict(
            Question.objects.filter(
                instrument__process=process, instrument__state="published", kind="scale"
            )
            .exclude(bank_key="")
            .values_list("key", "bank_key")
        )
        if not bank_keys:
            continue
        for question in survey_results(process=process, language=language).questions:
            if question.key not in bank_keys or question.overall is None:
                continue
            figure = question.overall
            if area_name is not None:
                by_area = next((b for b in question.breakdowns if b.variable == "area"), None)
                found = [f for f in (by_area.figures if by_area else []) if f.group == area_name]
                if not found:
                    continue
                figure = found[0]
            trend = trends.setdefault(
                bank_keys[question.key],
                QuestionTrend(
                    bank_keys[question.key],
                    question.text,
                    question.low_label,
                    question.high_label,
                    [],
                ),
            )
            answered = question.answered if area_name is None else (figure.n or 0)
            trend.points.append(TrendPoint(process, figure, answered))
    return list(trends.values())
