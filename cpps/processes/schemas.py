from __future__ import annotations

from datetime import date

from ninja import Schema


class ProcessOut(Schema):
    id: int
    kind: str
    title: str
    purpose: str
    state: str
    areas: list[str]
    languages: list[str]
    opens_on: date | None
    closes_on: date | None
    participant_count: int


class ProcessIn(Schema):
    kind: str
    title: str
    purpose: str
    areas: list[str] = []
    languages: list[str] = ["en", "es"]
    opens_on: date | None = None
    closes_on: date | None = None
