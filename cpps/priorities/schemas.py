"""Schemas of the priority-round endpoints."""

from __future__ import annotations

from ninja import Schema


class IdeaScoreOut(Schema):
    rank: int | None  # None: not enough comparisons yet to place it
    idea_id: int
    text_en: str
    text_es: str
    score: float
    score_low: float
    score_high: float
    comparisons: int


class RankingOut(Schema):
    round_id: int
    title: str
    comparisons: int
    participants: int
    weighted_by: list[str]
    ideas: list[IdeaScoreOut]
