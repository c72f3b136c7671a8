"""The optional "about you" questions, validated in one place for every capability and channel.

Answers are self-reported, always optional ("prefer not to say" is the blank answer of every
question), and used only to weight results to the census; their categories match the census
variables of the areas.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cpps.common.errors import InvalidInputError

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# The blank answer: stored as no answer at all.
PREFER_NOT_TO_SAY = ""


@dataclass(frozen=True)
class DemographicQuestion:
    key: str
    label: StrOrPromise
    choices: tuple[tuple[str, StrOrPromise], ...]

    @property
    def values(self) -> frozenset[str]:
        return frozenset(value for value, _label in self.choices)

    def label_of(self, value: str) -> StrOrPromise:
        return dict(self.choices).get(value, value)


QUESTIONS: tuple[DemographicQuestion, ...] = (
    DemographicQuestion(
        "age_band",
        gettext_lazy("How old are you?"),
        (
            ("under18", gettext_lazy("Under 18")),
            ("18_24", gettext_lazy("18 to 24")),
            ("25_34", gettext_lazy("25 to 34")),
            ("35_44", gettext_lazy("35 to 44")),
            ("45_54", gettext_lazy("45 to 54")),
            ("55_64", gettext_lazy("55 to 64")),
            ("65_plus", gettext_lazy("65 or older")),
        ),
    ),
    DemographicQuestion(
        "sex",
        gettext_lazy("What is your sex?"),
        (
            ("female", gettext_lazy("Female")),
            ("male", gettext_lazy("Male")),
            ("another", gettext_lazy("Another answer")),
        ),
    ),
    DemographicQuestion(
        "race_ethnicity",
        gettext_lazy("Which best describes you?"),
        (
            ("hispanic_latino", gettext_lazy("Hispanic or Latino/a")),
            ("nh_black_alone", gettext_lazy("Black or African American")),
            ("nh_white_alone", gettext_lazy("White")),
            ("nh_asian_alone", gettext_lazy("Asian")),
            ("nh_aian_alone", gettext_lazy("American Indian or Alaska Native")),
            ("nh_nhpi_alone", gettext_lazy("Native Hawaiian or Pacific Islander")),
            ("nh_two_or_more", gettext_lazy("More than one")),
            ("nh_other_alone", gettext_lazy("Another answer")),
        ),
    ),
    DemographicQuestion(
        "language",
        gettext_lazy("Which language do you mostly speak at home?"),
        (
            ("english_only", gettext_lazy("English")),
            ("spanish", gettext_lazy("Spanish")),
            ("other_language", gettext_lazy("Another language")),
        ),
    ),
    DemographicQuestion(
        "tenure",
        gettext_lazy("Do you rent or own your home?"),
        (
            ("renter", gettext_lazy("Rent")),
            ("owner", gettext_lazy("Own")),
            ("other", gettext_lazy("Neither")),
        ),
    ),
)

QUESTION_KEYS = frozenset(question.key for question in QUESTIONS)
# Where the participant lives, as an area code of the jurisdiction; optional like the rest.
AREA_KEY = "area"


def demographics_clean(
    answers: Mapping[str, str], *, area_codes: frozenset[str] | None = None
) -> dict[str, str]:
    """Return the answers worth storing, refusing any value that was not offered.

    Blank answers ("prefer not to say") and questions not asked are left out. With
    ``area_codes`` the answer under ``"area"`` must be one of them.

    Raises:
        InvalidInputError: an answer is not one of the question's choices.
    """
    cleaned: dict[str, str] = {}
    for question in QUESTIONS:
        answer = str(answers.get(question.key, PREFER_NOT_TO_SAY) or "").strip()
        if answer == PREFER_NOT_TO_SAY:
            continue
        if answer not in question.values:
            raise InvalidInputError(
                _("“%(question)s”: choose one of the answers offered.")
                % {"question": question.label}
            )
        cleaned[question.key] = answer
    if area_codes is not None:
        area = str(answers.get(AREA_KEY, "") or "").strip()
        if area:
            if area not in area_codes:
                raise InvalidInputError(_("Choose one of the areas offered."))
            cleaned[AREA_KEY] = area
    return cleaned
