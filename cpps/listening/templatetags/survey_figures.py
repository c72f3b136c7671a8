"""Formatting for published survey figures and the SVG bars that draw them."""

from __future__ import annotations

from dataclasses import replace

from django import template
from django.utils.formats import number_format

from cpps.participation.weighting import Figure

register = template.Library()

BAR_WIDTH = 240


@register.filter
def score(value: float | None) -> str:
    """A 0-10 mean with one decimal, in the current locale."""
    return "" if value is None else number_format(value, 1)


@register.filter
def percent(value: float | None) -> str:
    return "" if value is None else f"{number_format(value * 100, 0)}%"


@register.filter
def bar(value: float | None, scale: float) -> int:
    """Pixels for ``value`` on a bar of BAR_WIDTH pixels for ``scale`` (10 for scores, 1 shares)."""
    if value is None:
        return 0
    return round(max(0.0, min(value / scale, 1.0)) * BAR_WIDTH)


@register.filter
def listify(value: object) -> list[object]:
    return [value]


@register.filter
def option_figures(options: list[tuple[str, Figure]]) -> list[Figure]:
    """Figures labelled with their answer text."""
    return [replace(figure, group=label) for label, figure in options]


@register.filter
def get_item(mapping: dict[str, str], key: str) -> str:
    return mapping.get(key, key)
