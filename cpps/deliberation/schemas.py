"""Schemas of the conversation endpoints (aggregates only: no vote, no voter)."""

from __future__ import annotations

from datetime import datetime

from ninja import Schema


class ConversationOut(Schema):
    id: int
    title: str
    topic: str
    framing: str
    state: str
    moderation: str
    statements: int


class StatementOut(Schema):
    number: int
    text: str
    language: str
    seed: bool


class StatementShareOut(Schema):
    number: int
    text: str
    agree: float
    disagree: float
    passed: float
    votes: int
    direction: str


class GroupOut(Schema):
    id: int
    label: str
    size: int | None
    shown: bool
    share_raw: float | None
    share_weighted: float | None
    share_weighted_low: float | None
    share_weighted_high: float | None
    representative: list[StatementShareOut]


class AnalysisOut(Schema):
    computed_at: datetime
    participants: int
    participants_in_groups: int
    votes: int
    suppression_threshold: int
    weighted_by: list[str]
    groups: list[GroupOut]
    consensus_agree: list[StatementShareOut]
    consensus_disagree: list[StatementShareOut]
    bridging: list[StatementShareOut]
