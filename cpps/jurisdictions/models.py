from __future__ import annotations

import re

from django.conf.locale import LANG_INFO
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


def default_content_languages() -> list[str]:
    return ["en", "es"]


def validate_content_languages(value: object) -> None:
    """A jurisdiction's languages: a non-empty list of distinct language codes Django knows,
    the first being the one organisers write in first (the fallback for missing translations)."""
    if not isinstance(value, list) or not value:
        raise ValidationError(_("Choose at least one language."))
    unknown = [code for code in value if not isinstance(code, str) or code not in LANG_INFO]
    if unknown:
        raise ValidationError(
            _("Unknown language code: %(codes)s."), params={"codes": ", ".join(map(str, unknown))}
        )
    if len(set(value)) != len(value):
        raise ValidationError(_("Each language may be listed once."))


class Jurisdiction(models.Model):
    """A city, county or community that runs its own processes."""

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    # The languages its residents are served in; organisers' content is written in each.
    languages = models.JSONField(
        default=default_content_languages, validators=[validate_content_languages]
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class AreaKind(models.TextChoices):
    DISTRICT = "district", _("District")
    NEIGHBOURHOOD = "neighbourhood", _("Neighbourhood")
    TRACT = "tract", _("Census tract")
    BEAT = "beat", _("Beat")
    WARD = "ward", _("Ward")
    OTHER = "other", _("Other area")


def natural_sort_key(code: str) -> str:
    """The key that orders codes as people count: 2 before 10, "A10" before "B2"; every run of
    digits is zero-padded to the same width."""
    return _DIGIT_RUN.sub(lambda run: run.group().zfill(SORT_DIGITS), code.casefold())


# Wider than any number in a code (a census tract's GEOID has 11 digits).
SORT_DIGITS = 20
_DIGIT_RUN = re.compile(r"\d+")


class Area(models.Model):
    """A part of a jurisdiction (district, neighbourhood, tract); areas may nest.

    ``sort_key`` is the code in natural order (`natural_sort_key`), so every list of areas reads
    1, 2, ... 10 rather than 1, 10, 11, 2.
    """

    jurisdiction = models.ForeignKey(Jurisdiction, on_delete=models.CASCADE, related_name="areas")
    code = models.CharField(max_length=40)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=AreaKind.choices, default=AreaKind.DISTRICT)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    sort_key = models.CharField(max_length=1000, default="", editable=False)

    class Meta:
        ordering = ["jurisdiction", "kind", "sort_key", "code"]
        constraints = [
            models.UniqueConstraint(fields=["jurisdiction", "code"], name="area_code_unique")
        ]

    def __str__(self) -> str:
        return self.name


class CensusFigure(models.Model):
    """A published census count for one category of one variable in one area."""

    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="census_figures")
    variable = models.CharField(max_length=60)
    category = models.CharField(max_length=80)
    count = models.PositiveBigIntegerField()
    source = models.CharField(max_length=200)
    vintage = models.CharField(max_length=20)

    class Meta:
        ordering = ["area", "variable", "category"]
        constraints = [
            models.UniqueConstraint(
                fields=["area", "variable", "category"], name="census_figure_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.area.code} {self.variable}={self.category}: {self.count}"
