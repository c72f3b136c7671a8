"""Reads for jurisdictions, areas and census figures (all public, aggregate data)."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import QuerySet
from django.http import Http404

from cpps.jurisdictions.models import Area, CensusFigure, Jurisdiction


def jurisdiction_list() -> QuerySet[Jurisdiction]:
    return Jurisdiction.objects.all()


def jurisdiction_get(*, slug: str) -> Jurisdiction:
    """Return the jurisdiction or raise Http404."""
    try:
        return Jurisdiction.objects.get(slug=slug)
    except Jurisdiction.DoesNotExist as missing:
        raise Http404(slug) from missing


def area_list(*, jurisdiction: Jurisdiction) -> QuerySet[Area]:
    return Area.objects.filter(jurisdiction=jurisdiction)  # natural order (Area.Meta)


def area_get(*, jurisdiction: Jurisdiction, code: str) -> Area:
    try:
        return Area.objects.get(jurisdiction=jurisdiction, code=code)
    except Area.DoesNotExist as missing:
        raise Http404(code) from missing


def area_census(*, area: Area) -> dict[str, list[CensusFigure]]:
    """Return an area's figures grouped by variable, in a stable order."""
    grouped: dict[str, list[CensusFigure]] = defaultdict(list)
    for figure in CensusFigure.objects.filter(area=area).order_by("variable", "category"):
        grouped[figure.variable].append(figure)
    return dict(grouped)


def jurisdiction_population(*, jurisdiction: Jurisdiction) -> int:
    """Sum the areas' population (by sex, which every full census file gives)."""
    figures = CensusFigure.objects.filter(area__jurisdiction=jurisdiction, variable="sex")
    return sum(figures.values_list("count", flat=True))
