from __future__ import annotations

from datetime import date

from ninja import Field, Schema
from pydantic import ConfigDict, JsonValue, field_validator

from cpps.common.text import FreeText, SingleLineText
from cpps.processes.kinds import registered_kinds

# Every capability has registered its kind by the time the API's modules load (apps are ready).
KIND_VALUES = [spec.value for spec in registered_kinds()]
_KIND_ENUM: list[JsonValue] = list(KIND_VALUES)


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

    kind: str = Field(json_schema_extra={"enum": _KIND_ENUM})
    title: SingleLineText = Field(min_length=1, max_length=200)
    purpose: FreeText = Field(min_length=1)
    areas: list[FreeText] = []
    languages: list[FreeText] = ["en", "es"]
    opens_on: date | None = None
    closes_on: date | None = None

    @field_validator("kind")
    @classmethod
    def _registered_kind(cls, value: str) -> str:
        if value not in KIND_VALUES:
            raise ValueError(f"kind must be one of {', '.join(KIND_VALUES)}")
        return value
