"""Reads for surveys. Published results are aggregates only, weighted to the census, with small
groups withheld; answer-level data is returned to facilitators alone."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from cpps.accounts.policy import Action, require
from cpps.common.disclosure import counts_suppressed, small_cell_threshold
from cpps.common.hooks import IntegrityReport
from cpps.common.memo import BriefMemo
from cpps.engines.auditchain import batch_digest
from cpps.engines.privacy import SuppressedTable
from cpps.engines.weighting import RepresentationRow
from cpps.jurisdictions.models import Area
from cpps.listening.models import (
    SURVEY_KIND,
    Answer,
    Instrument,
    Question,
    QuestionKind,
    Response,
    ResponseSeal,
)
from cpps.participation.demographics import QUESTIONS as DEMOGRAPHIC_QUESTIONS
from cpps.participation.weighting import (
    CENSUS_VARIABLES,
    Figure,
    Respondent,
    Weighting,
    census_weights,
    mean_figures,
    missing_groups,
    process_areas,
    process_census,
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


def survey_results(
    *,
    process: Process,
    language: str,
    verified_only: bool = False,
) -> SurveyResults:
    """Weighted results for every question of every published version, by question key; with
    ``verified_only``, from verified residents' answers alone. Small groups are withheld by the
    one rule of `cpps.common.disclosure`."""
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
    titles = _variable_titles()
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
            results.append(
                QuestionResult(
                    **common,  # type: ignore[arg-type]
                    overall=overall,
                    breakdowns=breakdowns,
                    low_label=low,
                    high_label=high,
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
    codes = [code for code in areas if any(r.groups.get("area") == code for r in respondents)]
    if not codes:
        return None
    row_of = {code: i for i, code in enumerate(codes)}
    column_of = {value: i for i, (value, _label) in enumerate(options)}
    cells = [[0] * len(options) for _code in codes]
    for respondent, picked in zip(respondents, chosen, strict=True):
        code = respondent.groups.get("area", "")
        if picked is None or code not in row_of:
            continue
        for value in picked:
            cells[row_of[code]][column_of[value]] += 1
    return counts_suppressed(
        cells,
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
    _ids, respondents = _respondents(process)
    rows: list[RepresentationRow] = missing_groups(respondents, survey_census(process))
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
    return _completed(process, verified_only=verified_only).count()


@dataclass(frozen=True)
class SealSummary:
    sealed: int
    seals: int
    waiting: int


def seal_summary(*, process: Process) -> SealSummary:
    """How many sent responses the public record already vouches for, and how many await it."""
    counts = _completed(process).aggregate(
        sealed=Count("pk", filter=Q(seal__isnull=False)),
        waiting=Count("pk", filter=Q(seal__isnull=True)),
    )
    return SealSummary(
        sealed=counts["sealed"],
        seals=ResponseSeal.objects.filter(process=process).count(),
        waiting=counts["waiting"],
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
    for answer in (
        Answer.objects.filter(response_id__in=ids)
        .select_related("question")
        .order_by("response_id", "question__position")
    ):
        answers[answer.response_id].append(
            [answer.question.key, answer.choices, answer.number, answer.text, answer.skipped]
        )
    responses = Response.objects.filter(pk__in=ids).select_related(
        "participant", "instrument", "area"
    )
    return [
        {
            "response": response.pk,
            "client_id": response.client_id,
            "version": response.instrument.version,
            "channel": response.channel,
            "language": response.language,
            "area": response.area.code if response.area else None,
            "completed_at": response.completed_at.isoformat() if response.completed_at else None,
            "participant": response.participant.pseudonym,
            "demographics": response.participant.demographics,
            "answers": answers[response.pk],
        }
        for response in sorted(responses, key=lambda response: response.pk)
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
