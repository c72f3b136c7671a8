from __future__ import annotations

from datetime import datetime

from ninja import Schema


class CommitmentOut(Schema):
    id: int
    title: str
    action: str
    owner: str
    owner_kind: str
    areas: list[str]
    due_on: str
    status: str
    version: int
    flag: str
    metric: str
    baseline: str
    target: str
    priority: str
    latest_update_status: str
    latest_update_at: str
    latest_metric_value: str
    resident_score: float | None
    resident_score_low: float | None
    resident_score_high: float | None
    ratings: int | None


class ProgressUpdateOut(Schema):
    status: str
    narrative: str
    metric_value: str
    evidence_url: str
    posted_at: datetime


class TimelineEventOut(Schema):
    sequence: int
    recorded_at: datetime
    action: str
    actor_role: str
    payload: dict[str, object]
    hash: str


class CommitmentDetailOut(CommitmentOut):
    council_decision: str
    owner_response: str
    updates: list[ProgressUpdateOut]
    timeline: list[TimelineEventOut]


class CharterOut(Schema):
    version: int
    text: str
    council_size: int
    quorum: int
    majority_percent: int
    owner_bodies: list[str]
    review_period_days: int
    silence_days: int
    in_effect_from: datetime
