"""Readable, translated labels for census variables and categories."""

from __future__ import annotations

from collections.abc import Sequence

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from cpps.jurisdictions.models import CensusFigure

register = template.Library()

VARIABLE_LABELS = {
    "age_band": _("Age"),
    "age_sex": _("Age and sex"),
    "sex": _("Sex"),
    "race_ethnicity": _("Race and ethnicity"),
    "language": _("Language spoken at home (age 5 and over)"),
    "households": _("Households"),
    "housing_units": _("Homes"),
    "living_quarters": _("Where people live"),
    "tenure": _("Renting or owning"),
}

CATEGORY_LABELS = {
    "under18": _("Under 18"),
    "18_24": _("18 to 24"),
    "25_34": _("25 to 34"),
    "35_44": _("35 to 44"),
    "45_54": _("45 to 54"),
    "55_64": _("55 to 64"),
    "65_plus": _("65 or older"),
    "female": _("Female"),
    "male": _("Male"),
    "hispanic_latino": _("Hispanic or Latino/a"),
    "nh_white_alone": _("White"),
    "nh_black_alone": _("Black or African American"),
    "nh_asian_alone": _("Asian"),
    "nh_aian_alone": _("American Indian or Alaska Native"),
    "nh_nhpi_alone": _("Native Hawaiian or Pacific Islander"),
    "nh_other_alone": _("Another race"),
    "nh_two_or_more": _("Two or more races"),
    "english_only": _("English only"),
    "spanish_english_very_well": _("Spanish, also English very well"),
    "spanish_limited_english": _("Spanish, limited English"),
    "other_language_english_very_well": _("Another language, also English very well"),
    "other_language_limited_english": _("Another language, limited English"),
    "total": _("Total"),
    "occupied": _("Occupied"),
    "vacant": _("Vacant"),
    "group_quarters": _("Group quarters (dorms, care homes, prisons)"),
    "households": _("Households"),
    "renter": _("Renting"),
    "owner": _("Owning"),
}


@register.filter
def census_variable(variable: str) -> str:
    return str(VARIABLE_LABELS.get(variable, variable.replace("_", " ").capitalize()))


@register.filter
def census_category(category: str) -> str:
    if category in CATEGORY_LABELS:
        return str(CATEGORY_LABELS[category])
    sex, _sep, band = category.partition("_")
    if sex in {"female", "male"} and band in CATEGORY_LABELS:
        return f"{CATEGORY_LABELS[sex]}, {CATEGORY_LABELS[band]}"
    return category.replace("_", " ")


@register.filter
def census_share(figure: CensusFigure, figures: Sequence[CensusFigure]) -> str:
    """Return the figure's share of its variable's total, as a percentage."""
    total = sum(other.count for other in figures)
    if total == 0 or len(figures) < 2:
        return "—"
    return f"{number_format(100 * figure.count / total, 1)} %"
