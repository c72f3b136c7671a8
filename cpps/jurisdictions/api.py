"""Read endpoints for jurisdictions, areas and census figures (public aggregate data)."""

from django.http import HttpRequest
from ninja import Router

from cpps.common.api import LOOKUP, AreaCode, JurisdictionSlug, responses
from cpps.jurisdictions import selectors
from cpps.jurisdictions.models import Jurisdiction
from cpps.jurisdictions.schemas import AreaOut, CensusFigureOut, JurisdictionOut

router = Router(tags=["jurisdictions"])


@router.get("/", response=responses({200: list[JurisdictionOut]}))
def list_jurisdictions(request: HttpRequest) -> list[Jurisdiction]:
    return list(selectors.jurisdiction_list())


@router.get("/{slug}", response=responses({200: JurisdictionOut}, *LOOKUP))
def get_jurisdiction(request: HttpRequest, slug: JurisdictionSlug) -> Jurisdiction:
    return selectors.jurisdiction_get(slug=slug)


@router.get("/{slug}/areas", response=responses({200: list[AreaOut]}, *LOOKUP))
def list_areas(request: HttpRequest, slug: JurisdictionSlug) -> list[AreaOut]:
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


@router.get(
    "/{slug}/areas/{code}/census", response=responses({200: list[CensusFigureOut]}, *LOOKUP)
)
def list_area_census(
    request: HttpRequest, slug: JurisdictionSlug, code: AreaCode
) -> list[CensusFigureOut]:
    area = selectors.area_get(jurisdiction=selectors.jurisdiction_get(slug=slug), code=code)
    return [
        CensusFigureOut.model_validate(figure, from_attributes=True)
        for figures in selectors.area_census(area=area).values()
        for figure in figures
    ]
