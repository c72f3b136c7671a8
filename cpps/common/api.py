"""What every API router shares: the error bodies, the response map of an operation, and bounded
pagination, so that the OpenAPI document names every status code an endpoint can return."""

from __future__ import annotations

from typing import Annotated, Any

from ninja import Field, Path, Query, Schema
from ninja.pagination import LimitOffsetPagination

from cpps.engines.census import AREA_CODE_PATTERN

MAX_PAGE_SIZE = 500
DEFAULT_PAGE_SIZE = 100
# Far beyond any log this platform keeps, and far inside every database's integer range.
MAX_OFFSET = 1_000_000_000
# Row ids are 64-bit; a larger number names nothing.
MAX_ID = 2**63 - 1
# Django's slug, as /j/<slug:slug>/ matches it.
SLUG_PATTERN = r"^[-a-zA-Z0-9_]+$"

# Path and query parameters as they are validated where the objects are created, so a value
# that could never name anything is a 422 and the OpenAPI document says what is accepted.
# (django-ninja builds its parameter models from evaluated annotations: a router module using
# these aliases cannot have `from __future__ import annotations`.)
JurisdictionSlug = Annotated[str, Path(pattern=SLUG_PATTERN, max_length=50)]
AreaCode = Annotated[str, Path(pattern=AREA_CODE_PATTERN, max_length=40)]
AreaCodeOrAll = Annotated[
    str, Query(pattern=f"^({AREA_CODE_PATTERN[1:-1]})?$", max_length=40, description="all if empty")
]
ObjectId = Annotated[int, Path(ge=1, le=MAX_ID)]


class Message(Schema):
    """Why the request was refused, written for the person who sent it."""

    detail: str


class ValidationMessage(Schema):
    """The parameters or body that do not match the schema, one entry per problem."""

    detail: list[dict[str, Any]]


ERROR_BODIES: dict[int, type[Schema]] = {
    400: Message,
    401: Message,
    403: Message,
    404: Message,
    409: Message,
    413: Message,
    422: ValidationMessage,
    503: Message,
}
# Any request may hold a control character (400, refused before the endpoint runs) or meet the
# database down (503).
EVERY_OPERATION = (400, 503)
# A request that names a jurisdiction or an object that does not exist, or sends parameters that
# do not match the schema.
LOOKUP = (404, 422)
# A request with a JSON body: one too large (413) or not matching the schema (422).
WITH_BODY = (413, 422)


def responses(success: dict[int, Any], *errors: int) -> dict[int, Any]:
    """The `response=` map of an operation: its success bodies and each error it may return."""
    codes = sorted({*EVERY_OPERATION, *errors})
    return {**success, **{code: ERROR_BODIES[code] for code in codes}}


class BoundedPagination(LimitOffsetPagination):
    """`?limit=&offset=` with both bounded: a page holds at most MAX_PAGE_SIZE items, and an
    out-of-range value is a 422 naming the parameter, not a database error."""

    class Input(Schema):
        limit: int = Field(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)
        offset: int = Field(0, ge=0, le=MAX_OFFSET)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_limit=MAX_PAGE_SIZE, **kwargs)
