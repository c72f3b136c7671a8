from __future__ import annotations

from ninja import Field, Schema


class ResponseIn(Schema):
    client_id: str = Field(
        description="An id the client chose (8-64 characters); resending it stores nothing new."
    )
    language: str = "en"
    answers: dict[str, list[str]]
    area: str = ""
    demographics: dict[str, str] = {}


class ResponseOut(Schema):
    client_id: str
    created: bool
