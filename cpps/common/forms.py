"""Form fields every app shares."""

from __future__ import annotations

from django import forms

from cpps.common.text import validate_single_line


class SingleLineField(forms.CharField):
    """One line of text (a name, a title, a code): control, bidirectional and zero-width
    characters are refused with a message naming the character."""

    default_validators = [validate_single_line]
