from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Jurisdiction(models.Model):
    """A city, county or community that runs its own processes."""

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
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


class Area(models.Model):
    """A part of a jurisdiction (district, neighbourhood, tract); areas may nest."""

    jurisdiction = models.ForeignKey(Jurisdiction, on_delete=models.CASCADE, related_name="areas")
    code = models.CharField(max_length=40)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=AreaKind.choices, default=AreaKind.DISTRICT)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )

    class Meta:
        ordering = ["jurisdiction", "kind", "code"]
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
