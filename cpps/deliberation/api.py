"""Conversation endpoints: anyone may read the conversations, their accepted statements and the
latest analysis (aggregates with small groups withheld)."""

from dataclasses import asdict

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Router
from ninja.errors import HttpError
from ninja.pagination import paginate

from cpps.common.api import LOOKUP, BoundedPagination, JurisdictionSlug, ObjectId, responses
from cpps.deliberation import selectors
from cpps.deliberation.models import Statement
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


@router.get("/{slug}/conversations", response=responses({200: list[ConversationOut]}, *LOOKUP))
def list_conversations(request: HttpRequest, slug: JurisdictionSlug) -> list[ConversationOut]:
    jurisdiction = jurisdiction_get(slug=slug)
    return [_conversation_out(p) for p in selectors.conversation_list(jurisdiction=jurisdiction)]


@router.get("/{slug}/conversations/{pk}", response=responses({200: ConversationOut}, *LOOKUP))
def get_conversation(request: HttpRequest, slug: JurisdictionSlug, pk: ObjectId) -> ConversationOut:
    return _conversation_out(
        selectors.conversation_get(jurisdiction=jurisdiction_get(slug=slug), pk=pk)
    )


@router.get(
    "/{slug}/conversations/{pk}/statements",
    response=responses({200: list[StatementOut]}, *LOOKUP),
)
@paginate(BoundedPagination)
def list_statements(
    request: HttpRequest, slug: JurisdictionSlug, pk: ObjectId
) -> QuerySet[Statement]:
    """The statements in the conversation (those moderators accepted), by number; at most 500
    a page (`limit`), from `offset`."""
    process = selectors.conversation_get(jurisdiction=jurisdiction_get(slug=slug), pk=pk)
    return selectors.statements_accepted(process=process)


@router.get("/{slug}/conversations/{pk}/analysis", response=responses({200: AnalysisOut}, *LOOKUP))
def get_analysis(request: HttpRequest, slug: JurisdictionSlug, pk: ObjectId) -> AnalysisOut:
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
