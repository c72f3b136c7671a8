"""Read endpoints for jurisdictions, areas and census figures (public aggregate data)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

from cpps.jurisdictions import selectors
from cpps.jurisdictions.models import Jurisdiction
from cpps.jurisdictions.schemas import AreaOut, CensusFigureOut, JurisdictionOut

router = Router(tags=["jurisdictions"])


@router.get("/", response=list[JurisdictionOut])
def list_jurisdictions(request: HttpRequest) -> list[Jurisdiction]:
    return list(selectors.jurisdiction_list())


@router.get("/{slug}", response=JurisdictionOut)
def get_jurisdiction(request: HttpRequest, slug: str) -> Jurisdiction:
    return selectors.jurisdiction_get(slug=slug)


@router.get("/{slug}/areas", response=list[AreaOut])
def list_areas(request: HttpRequest, slug: str) -> list[AreaOut]:
    jurisdiction = selectors.jurisdiction_get(slug=slug)
    return [
        AreaOut(
            code=area.code,
            name=area.name,
            kind=area.kind,
            parent_code=area.parent.code if area.parent else None,
        )
        for area in selectors.area_list(jurisdiction=jurisdiction).select_related("parent")
    ]


@router.get("/{slug}/areas/{code}/census", response=list[CensusFigureOut])
def list_area_census(request: HttpRequest, slug: str, code: str) -> list[CensusFigureOut]:
    area = selectors.area_get(jurisdiction=selectors.jurisdiction_get(slug=slug), code=code)
    return [
        CensusFigureOut.model_validate(figure, from_attributes=True)
        for figures in selectors.area_census(area=area).values()
        for figure in figures
    ]
