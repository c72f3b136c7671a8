from __future__ import annotations

from datetime import date

from ninja import Field, Schema
from pydantic import ConfigDict

from cpps.common.text import FreeText, SingleLineText
from cpps.processes.models import ProcessKind


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
    model_config = ConfigDict(extra="forbid")

    kind: ProcessKind
    title: SingleLineText = Field(min_length=1, max_length=200)
    purpose: FreeText = Field(min_length=1)
    areas: list[FreeText] = []
    languages: list[FreeText] = ["en", "es"]
    opens_on: date | None = None
    closes_on: date | None = None
