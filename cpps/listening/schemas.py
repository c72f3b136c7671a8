from __future__ import annotations

from ninja import Field, Schema
from pydantic import ConfigDict

from cpps.common.text import FREE_TEXT_KEYS, FreeText


class ResponseIn(Schema):
    model_config = ConfigDict(extra="forbid")

    client_id: FreeText = Field(
        description="An id the client chose (8-64 characters); resending it stores nothing new."
    )
    language: FreeText = "en"
    answers: dict[str, list[FreeText]] = Field(json_schema_extra=FREE_TEXT_KEYS)
    area: FreeText = ""
    demographics: dict[str, FreeText] = Field(default={}, json_schema_extra=FREE_TEXT_KEYS)


class ResponseOut(Schema):
    client_id: str
    created: bool
