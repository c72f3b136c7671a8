"""Conversation endpoints: anyone may read the conversations, their accepted statements and the
latest analysis (aggregates with small groups withheld)."""

from __future__ import annotations

from dataclasses import asdict

from django.http import HttpRequest
from ninja import Router
from ninja.errors import HttpError

from cpps.deliberation import selectors
from cpps.deliberation.schemas import (
    AnalysisOut,
    ConversationOut,
    GroupOut,
    StatementOut,
    StatementShareOut,
)
from cpps.jurisdictions.selectors import jurisdiction_get
from cpps.processes.models import Process

router = Router(tags=["deliberation"])


def _conversation_out(process: Process) -> ConversationOut:
    settings = selectors.settings_of(process)
    return ConversationOut(
        id=process.pk,
        title=process.title,
        topic=settings.topic if settings else "",
        framing=settings.framing if settings else "",
        state=process.state,
        moderation=settings.moderation if settings else "",
        statements=selectors.statements_accepted(process=process).count(),
    )


@router.get("/{slug}/conversations", response=list[ConversationOut])
def list_conversations(request: HttpRequest, slug: str) -> list[ConversationOut]:
    jurisdiction = jurisdiction_get(slug=slug)
    return [_conversation_out(p) for p in selectors.conversation_list(jurisdiction=jurisdiction)]


@router.get("/{slug}/conversations/{pk}", response=ConversationOut)
def get_conversation(request: HttpRequest, slug: str, pk: int) -> ConversationOut:
    return _conversation_out(
        selectors.conversation_get(jurisdiction=jurisdiction_get(slug=slug), pk=pk)
    )


@router.get("/{slug}/conversations/{pk}/statements", response=list[StatementOut])
def list_statements(request: HttpRequest, slug: str, pk: int) -> list[StatementOut]:
    """The statements in the conversation (those moderators accepted)."""
    process = selectors.conversation_get(jurisdiction=jurisdiction_get(slug=slug), pk=pk)
    return [
        StatementOut(number=s.number, text=s.text, language=s.language, seed=s.seed)
        for s in selectors.statements_accepted(process=process)
    ]


@router.get("/{slug}/conversations/{pk}/analysis", response={200: AnalysisOut, 404: dict})
def get_analysis(request: HttpRequest, slug: str, pk: int) -> AnalysisOut:
    """The latest analysis: opinion groups (raw and weighted to the census), the statements
    that set each apart, consensus and bridging statements."""
    process = selectors.conversation_get(jurisdiction=jurisdiction_get(slug=slug), pk=pk)
    view = selectors.results_view(process=process)
    if view is None:
        raise HttpError(404, "This conversation has not been analysed yet.")

    def shares(items: list[selectors.StatementShare]) -> list[StatementShareOut]:
        return [StatementShareOut(**asdict(item)) for item in items]

    return AnalysisOut(
        computed_at=view.analysis.computed_at,
        participants=view.analysis.participants,
        participants_in_groups=int(view.analysis.summary.get("participants_in", 0)),
        votes=view.analysis.votes,
        suppression_threshold=view.threshold,
        weighted_by=list(view.weighting.get("variables", [])),
        groups=[
            GroupOut(
                id=g.id,
                label=g.letter,
                size=g.size if g.shown else None,
                shown=g.shown,
                share_raw=g.raw[0],
                share_weighted=g.weighted[0],
                share_weighted_low=g.weighted[1],
                share_weighted_high=g.weighted[2],
                representative=shares(g.representative),
            )
            for g in view.groups
        ],
        consensus_agree=shares(view.consensus_agree),
        consensus_disagree=shares(view.consensus_disagree),
        bridging=shares(view.bridging),
    )
