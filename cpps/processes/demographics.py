"""The optional "about you" questions. Answers are self-reported, always optional, and used only
to weight results to the census; their categories match the census variables of the areas."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class DemographicQuestion:
    key: str
    label: StrOrPromise
    choices: tuple[tuple[str, StrOrPromise], ...]


QUESTIONS: tuple[DemographicQuestion, ...] = (
    DemographicQuestion(
        "age_band",
        _("How old are you?"),
        (
            ("under18", _("Under 18")),
            ("18_24", _("18 to 24")),
            ("25_34", _("25 to 34")),
            ("35_44", _("35 to 44")),
            ("45_54", _("45 to 54")),
            ("55_64", _("55 to 64")),
            ("65_plus", _("65 or older")),
        ),
    ),
    DemographicQuestion(
        "sex",
        _("What is your sex?"),
        (("female", _("Female")), ("male", _("Male")), ("another", _("Another answer"))),
    ),
    DemographicQuestion(
        "race_ethnicity",
        _("Which best describes you?"),
        (
            ("hispanic_latino", _("Hispanic or Latino/a")),
            ("nh_black_alone", _("Black or African American")),
            ("nh_white_alone", _("White")),
            ("nh_asian_alone", _("Asian")),
            ("nh_aian_alone", _("American Indian or Alaska Native")),
            ("nh_nhpi_alone", _("Native Hawaiian or Pacific Islander")),
            ("nh_two_or_more", _("More than one")),
            ("nh_other_alone", _("Another answer")),
        ),
    ),
    DemographicQuestion(
        "language",
        _("Which language do you mostly speak at home?"),
        (
            ("english_only", _("English")),
            ("spanish", _("Spanish")),
            ("other_language", _("Another language")),
        ),
    ),
    DemographicQuestion(
        "tenure",
        _("Do you rent or own your home?"),
        (("renter", _("Rent")), ("owner", _("Own")), ("other", _("Neither"))),
    ),
)

QUESTION_KEYS = frozenset(question.key for question in QUESTIONS)
