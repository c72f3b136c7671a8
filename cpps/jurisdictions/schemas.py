from __future__ import annotations

from ninja import Schema


class JurisdictionOut(Schema):
    slug: str
    name: str
    description: str


class AreaOut(Schema):
    code: str
    name: str
    kind: str
    parent_code: str | None


class CensusFigureOut(Schema):
    variable: str
    category: str
    count: int
    source: str
    vintage: str
