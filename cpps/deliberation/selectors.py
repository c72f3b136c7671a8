"""Reads for conversations. Pages read the stored analysis (`Analysis.summary`), never the
votes; a participant's own votes are read only for that participant."""

from __future__ import annotations

import math
import re
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from cpps.accounts.policy import Action, require
from cpps.common.disclosure import groups_withheld, small_cell_threshold
from cpps.deliberation import adapters
from cpps.deliberation.models import (
    DELIBERATION_KIND,
    Analysis,
    Deliberation,
    Statement,
    StatementState,
    Vote,
)
from cpps.participation.demographics import QUESTIONS
from cpps.participation.models import Participant
from cpps.participation.weighting import process_areas
from cpps.processes.models import Process

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from cpps.accounts.models import User
    from cpps.jurisdictions.models import Jurisdiction


def conversation_get(*, jurisdiction: Jurisdiction, pk: int) -> Process:
    process = (
        Process.objects.select_related("jurisdiction")
        .filter(jurisdiction=jurisdiction, pk=pk, kind=DELIBERATION_KIND)
        .first()
    )
    if process is None:
        raise Http404(pk)
    return process


def conversation_in(*, slug: str, pk: int) -> Process:
    """The conversation ``pk`` of the jurisdiction ``slug`` (one query: every conversation page
    starts with it), or Http404."""
    process = (
        Process.objects.select_related("jurisdiction")
        .filter(jurisdiction__slug=slug, pk=pk, kind=DELIBERATION_KIND)
        .first()
    )
    if process is None:
        raise Http404(pk)
    return process


def conversation_get_by_pk(*, pk: int) -> Process:
    process = (
        Process.objects.select_related("jurisdiction").filter(pk=pk, kind=DELIBERATION_KIND).first()
    )
    if process is None:
        raise Http404(pk)
    return process


def conversation_list(*, jurisdiction: Jurisdiction) -> list[Process]:
    return list(
        Process.objects.filter(jurisdiction=jurisdiction, kind=DELIBERATION_KIND)
        .exclude(state="draft")
        .order_by("-created_at")
    )


def settings_of(process: Process) -> Deliberation | None:
    return Deliberation.objects.filter(pk=process.pk).first()


def statements_accepted(*, process: Process) -> QuerySet[Statement]:
    return Statement.objects.filter(process=process, state=StatementState.ACCEPTED).order_by(
        "number"
    )


def statement_get(*, process: Process, number: int) -> Statement:
    statement = Statement.objects.filter(process=process, number=number).first()
    if statement is None:
        raise Http404(number)
    return statement


def statement_texts(*, process: Process, numbers: Sequence[int]) -> dict[int, Statement]:
    """The statements behind the numbers an analysis names (accepted ones only: a statement
    taken out after the analysis shows no text)."""
    return {
        s.number: s
        for s in Statement.objects.filter(
            process=process, number__in=list(numbers), state=StatementState.ACCEPTED
        )
    }


def participant_votes(*, participant: Participant) -> dict[int, int]:
    """The participant's latest vote on each statement, by statement number."""
    latest: dict[int, int] = {}
    for number, value in (
        Vote.objects.filter(participant=participant)
        .order_by("cast_at", "pk")
        .values_list("statement__number", "value")
    ):
        latest[number] = value
    return latest


def _voted(participant: Participant | None, votes: Mapping[int, int] | None) -> set[int]:
    if votes is not None:
        return set(votes)
    return set(participant_votes(participant=participant)) if participant else set()


def next_statement(
    *, process: Process, participant: Participant | None, votes: Mapping[int, int] | None = None
) -> Statement | None:
    """The next statement to show: one this participant has not voted on, seeds first, then the
    least voted-on (by the stored analysis), so every statement gets votes. ``votes``: the
    participant's, when the caller has read them already."""
    voted = _voted(participant, votes)
    candidates = statements_accepted(process=process).exclude(number__in=voted)
    if participant is not None:
        candidates = candidates.exclude(author=participant)
    latest = latest_analysis(process=process)
    counts = latest.summary.get("overall", {}) if latest else {}
    order = sorted(
        candidates.values_list("number", "seed")[:500],
        key=lambda row: (not row[1], sum(counts.get(str(row[0]), [0])), row[0]),
    )
    if not order:
        return None
    return Statement.objects.get(process=process, number=order[0][0])


def remaining_count(
    *, process: Process, participant: Participant | None, votes: Mapping[int, int] | None = None
) -> int:
    voted = _voted(participant, votes)
    return statements_accepted(process=process).exclude(number__in=voted).count()


# Parsed summaries by analysis (id and time). A stored analysis never changes, so a page reads
# its summary (hundreds of kilobytes for a big conversation) from the database and parses it
# once per process, not once per request. Callers treat it as read-only.
_SUMMARIES: OrderedDict[tuple[int, datetime], dict[str, Any]] = OrderedDict()
SUMMARIES_KEPT = 8


def _summary(analysis: Analysis) -> dict[str, Any]:
    key = (analysis.pk, analysis.computed_at)
    summary = _SUMMARIES.get(key)
    if summary is None:
        summary = Analysis.objects.values_list("summary", flat=True).get(pk=analysis.pk)
        _SUMMARIES[key] = summary
        while len(_SUMMARIES) > SUMMARIES_KEPT:
            _SUMMARIES.popitem(last=False)
    return summary


def latest_analysis(*, process: Process) -> Analysis | None:
    """The newest analysis of the conversation, its summary read once per process."""
    analysis = (
        Analysis.objects.filter(process=process)
        .defer("projection", "summary")
        .order_by("-computed_at")
        .first()
    )
    if analysis is not None:
        analysis.summary = _summary(analysis)
    return analysis


def moderation_queue(*, user: User | AnonymousUser, process: Process) -> list[Statement]:
    require(user, Action.MODERATE, process.jurisdiction)
    return list(
        Statement.objects.filter(process=process, state=StatementState.PENDING).order_by("number")
    )


@dataclass(frozen=True)
class TriageRow:
    statement: Statement
    similar: list[Statement] = field(default_factory=list)


def _words(text: str) -> set[str]:
    return set(re.findall(r"\w{3,}", text))


def triage(*, user: User | AnonymousUser, process: Process) -> list[TriageRow]:
    """Statements residents flagged, and pending ones that look like statements already in the
    conversation (most shared words), for moderators to decide."""
    require(user, Action.MODERATE, process.jurisdiction)
    flagged = Statement.objects.filter(process=process, flags__gt=0).exclude(
        state=StatementState.REJECTED
    )
    pending = Statement.objects.filter(process=process, state=StatementState.PENDING)
    others = list(
        Statement.objects.filter(process=process, state=StatementState.ACCEPTED).only(
            "number", "text", "normalised"
        )[:2000]
    )
    rows = []
    for statement in list(flagged.order_by("-flags", "number")[:100]) + list(pending[:100]):
        words = _words(statement.normalised)
        similar = [
            other
            for other in others
            if other.pk != statement.pk
            and words
            and len(words & _words(other.normalised)) / len(words | _words(other.normalised)) >= 0.6
        ][:3]
        if statement.flags or similar:
            rows.append(TriageRow(statement, similar))
    return rows


def moderation_counts(*, process: Process) -> dict[str, int]:
    counts = Statement.objects.filter(process=process).aggregate(
        pending=Count("pk", filter=Q(state=StatementState.PENDING)),
        flagged=Count("pk", filter=Q(flags__gt=0) & ~Q(state=StatementState.REJECTED)),
        accepted=Count("pk", filter=Q(state=StatementState.ACCEPTED)),
    )
    return {key: int(value) for key, value in counts.items()}


# --- Results -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class StatementShare:
    """A statement with the shares of a group (or everyone) who agreed, disagreed, passed."""

    number: int
    text: str
    agree: float
    disagree: float
    passed: float
    votes: int
    direction: str = ""


@dataclass(frozen=True)
class GroupView:
    id: int
    letter: str
    size: int
    shown: bool
    representative: list[StatementShare]
    weighted: list[float | None]
    raw: list[float | None]


@dataclass(frozen=True)
class MapCell:
    x: float
    y: float
    r: float
    group: int
    count: int


@dataclass(frozen=True)
class ResultsView:
    analysis: Analysis
    groups: list[GroupView]
    consensus_agree: list[StatementShare]
    consensus_disagree: list[StatementShare]
    bridging: list[StatementShare]
    cells: list[MapCell]
    labels: list[tuple[str, str, str]]
    weighting: dict[str, Any]
    threshold: int

    @property
    def map_dots(self) -> SafeString:
        """The map's circles as SVG, made in one go: a template loop (or format_html) over the
        thousand or so cells of a large conversation costs more than the rest of the page.
        Numbers are written with a point whatever the language (SVG reads no other)."""
        dots = "".join(
            f'<circle cx="{c.x:.1f}" cy="{c.y:.1f}" r="{c.r:.1f}" class="map-dot group-'
            f'{int(c.group) if c.group >= 0 else "none"}"/>'
            for c in self.cells
        )
        return mark_safe(dots)  # noqa: S308 - numbers formatted here, nothing else


MAP_SIZE = 360


def group_letter(group_id: int) -> str:
    return chr(ord("A") + group_id) if 0 <= group_id < 26 else str(group_id)


def _share(
    number: int, counts: Sequence[int], texts: dict[int, Statement], direction: str = ""
) -> StatementShare | None:
    statement = texts.get(number)
    if statement is None:
        return None
    agree, disagree, passed = (int(c) for c in counts)
    total = agree + disagree + passed
    if total == 0:
        return StatementShare(number, statement.text, 0.0, 0.0, 0.0, 0, direction)
    return StatementShare(
        number, statement.text, agree / total, disagree / total, passed / total, total, direction
    )


@dataclass(frozen=True)
class ResultsBasis:
    """What the results show is decided by: the latest analysis and which of the statements it
    names are still in the conversation (a statement taken out since shows no text)."""

    analysis: Analysis
    texts: dict[int, Statement]

    @property
    def version(self) -> tuple[int, datetime, tuple[int, ...], int]:
        """Changes whenever what the results show changes (a page may be kept under it)."""
        return (
            self.analysis.pk,
            self.analysis.computed_at,
            tuple(sorted(self.texts)),
            small_cell_threshold(),
        )


def results_basis(*, process: Process) -> ResultsBasis | None:
    """The latest analysis and the texts of the statements it names; None before any."""
    analysis = latest_analysis(process=process)
    if analysis is None:
        return None
    summary = analysis.summary
    numbers: set[int] = set()
    for group in summary["groups"]:
        numbers |= {r["statement"] for r in group["representative"]}
    for key in ("agree", "disagree"):
        numbers |= {c["statement"] for c in summary["consensus"][key]}
    numbers |= {b["statement"] for b in summary["bridging"]}
    return ResultsBasis(analysis, statement_texts(process=process, numbers=sorted(numbers)))


def results_view(*, process: Process, basis: ResultsBasis | None = None) -> ResultsView | None:
    """The latest analysis as the results pages show it: every group with its size and the
    statements that set it apart (with their text and the group's shares), consensus and
    bridging statements, and the map. Groups under the privacy threshold are withheld.
    ``basis``: from `results_basis`, when the caller read it already."""
    basis = basis or results_basis(process=process)
    if basis is None:
        return None
    analysis, texts = basis.analysis, basis.texts
    summary = analysis.summary
    threshold = small_cell_threshold()
    withheld = groups_withheld([group["size"] for group in summary["groups"]])
    overall = summary["overall"]
    weighting = summary.get("weighting", {})
    by_group = {g["id"]: g for g in weighting.get("groups", [])}
    groups = []
    for group, held in zip(summary["groups"], withheld, strict=True):
        shown = not held
        representative = [
            share
            for r in group["representative"]
            if shown
            and (
                share := _share(
                    r["statement"],
                    group["votes"].get(str(r["statement"]), [0, 0, 0]),
                    texts,
                    r["direction"],
                )
            )
        ]
        figures = by_group.get(group["id"], {})
        groups.append(
            GroupView(
                id=group["id"],
                letter=group_letter(group["id"]),
                size=group["size"] if shown else 0,
                shown=shown,
                representative=representative,
                weighted=list(figures.get("weighted", [None, None, None])),
                raw=list(figures.get("raw", [None, None, None])),
            )
        )

    def listed(entries: list[dict[str, Any]], direction: str = "") -> list[StatementShare]:
        return [
            share
            for entry in entries
            if (
                share := _share(
                    entry["statement"],
                    overall.get(str(entry["statement"]), [0, 0, 0]),
                    texts,
                    direction,
                )
            )
        ]

    cells, labels = _map_geometry(summary, {g.id for g in groups if g.shown})
    weighting = {**weighting, "missing": _labelled_missing(process, weighting.get("missing", []))}
    return ResultsView(
        analysis=analysis,
        groups=groups,
        consensus_agree=listed(summary["consensus"]["agree"], "agree"),
        consensus_disagree=listed(summary["consensus"]["disagree"], "disagree"),
        bridging=listed(summary["bridging"]),
        cells=cells,
        labels=labels,
        weighting=weighting,
        threshold=threshold,
    )


def _labelled_missing(process: Process, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The under-represented groups with words instead of codes ("Englewood", "45 to 54")."""
    areas = {area.code: area.name for area in process_areas(process)}
    questions = {question.key: question for question in QUESTIONS}
    titles = {"area": _("Area"), **{q.key: q.label for q in QUESTIONS}}
    labelled = []
    for row in rows:
        variable, category = row["variable"], row["category"]
        name = (
            areas.get(category, category)
            if variable == "area"
            else (questions[variable].label_of(category) if variable in questions else category)
        )
        labelled.append({**row, "title": titles.get(variable, variable), "label": name})
    return labelled


def _map_geometry(
    summary: dict[str, Any], shown: set[int]
) -> tuple[list[MapCell], list[tuple[str, str, str]]]:
    """Circles per map cell, sized by how many people stand there, and a label at each group's
    centre; the SVG is drawn from these in the template (no JavaScript)."""
    grid = adapters.MAP_CELLS
    step = MAP_SIZE / grid
    cells = []
    largest = max((cell[3] for cell in summary["map"]["cells"]), default=1)
    for x, y, group, count in summary["map"]["cells"]:
        if group >= 0 and group not in shown:
            continue
        radius = max(1.5, step / 2 * math.sqrt(count / largest))
        cells.append(MapCell((x + 0.5) * step, MAP_SIZE - (y + 0.5) * step, radius, group, count))
    low_x, high_x, low_y, high_y = summary["map"]["bounds"]
    span_x, span_y = (high_x - low_x) or 1.0, (high_y - low_y) or 1.0
    labels = [
        (
            group_letter(group["id"]),
            f"{(group['center'][0] - low_x) / span_x * MAP_SIZE:.1f}",
            f"{MAP_SIZE - (group['center'][1] - low_y) / span_y * MAP_SIZE:.1f}",
        )
        for group in summary["groups"]
        if group["id"] in shown
    ]
    return cells, labels


@dataclass(frozen=True)
class Standing:
    """Where this participant stands, for them alone."""

    group: str | None
    votes: int
    needed: int


def where_i_stand(
    *, process: Process, participant: Participant, votes: Mapping[int, int] | None = None
) -> Standing | None:
    """The group this participant's votes are closest to on the latest map (None: no analysis)."""
    analysis = (
        Analysis.objects.filter(process=process).only("projection").order_by("-computed_at").first()
    )
    if analysis is None:
        return None
    placement = adapters.place_participant(
        bytes(analysis.projection),
        list((participant_votes(participant=participant) if votes is None else votes).items()),
    )
    letter = group_letter(placement.group) if placement.group is not None else None
    return Standing(letter, placement.votes, placement.needed)
