"""One line of text as people type it: names, titles, codes.

Control characters, bidirectional overrides and zero-width characters are refused with a message
naming the character (never silently dropped: what is stored is what the person sees). Which
characters those are is defined once, in `cpps.engines.characters`, for the file readers too.
"""

from __future__ import annotations

from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from pydantic import AfterValidator, Field

from cpps.common.errors import InvalidInputError
from cpps.engines.characters import (
    FREE_TEXT_PATTERN,
    ONE_LINE_PATTERN,
    character_name,
    first_hidden_character,
)


def hidden_character_message(value: str, *, label: str | None = None) -> str | None:
    """Why `value` cannot be one line of text (called `label`), or None when it can."""
    character = first_hidden_character(value)
    if character is None:
        return None
    if label is None:
        return _(
            "This text holds a hidden character (%(character)s) that can disguise or reorder "
            "text; remove it."
        ) % {"character": character_name(character)}
    return _(
        "“%(field)s” holds a hidden character (%(character)s) that can disguise or reorder "
        "text; remove it."
    ) % {"field": label, "character": character_name(character)}


def refuse_invisible_controls(value: str, *, label: str) -> str:
    """Return `value` unchanged if it is one clean line of text.

    Raises:
        InvalidInputError: it holds a control, bidirectional or zero-width character.
    """
    message = hidden_character_message(value, label=label)
    if message is not None:
        raise InvalidInputError(message)
    return value


def clean_text(value: str, *, label: str) -> str:
    """A name or title as stored: surrounding spaces dropped, hidden characters refused.

    Raises:
        InvalidInputError: it holds a control, bidirectional or zero-width character.
    """
    return refuse_invisible_controls(value.strip(), label=label)


def validate_single_line(value: str) -> None:
    """Form-field validator: refuse hidden characters in a one-line field."""
    message = hidden_character_message(value)
    if message is not None:
        raise ValidationError(message, code="hidden_character")


def _single_line(value: str) -> str:
    message = hidden_character_message(value)
    if message is not None:
        raise ValueError(message)
    return value


# Text fields of API input schemas. Control characters never reach them (the middleware answers
# 400); the patterns say so in the OpenAPI document. A one-line field (a name, a title) with a
# bidirectional or zero-width character is a 422 naming the character.
FreeText = Annotated[str, Field(pattern=FREE_TEXT_PATTERN)]
# For a dict field's `json_schema_extra`: its keys are free text too.
FREE_TEXT_KEYS: dict[str, Any] = {"propertyNames": {"pattern": FREE_TEXT_PATTERN}}
SingleLineText = Annotated[
    str, AfterValidator(_single_line), Field(json_schema_extra={"pattern": ONE_LINE_PATTERN})
]
