from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cpps.common.forms import SingleLineField
from cpps.jurisdictions.models import Jurisdiction
from cpps.jurisdictions.selectors import area_list
from cpps.processes.kinds import kind_choices

LANGUAGE_CHOICES = (("en", "English"), ("es", "Español"))


class ProcessForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of process"), choices=kind_choices)
    title = SingleLineField(label=_("Title"), max_length=200)
    purpose = forms.CharField(
        label=_("Purpose"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("In plain words: what residents are asked, and what will be done with it."),
    )
    areas = forms.MultipleChoiceField(
        label=_("Areas"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave empty for the whole jurisdiction."),
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages"),
        choices=LANGUAGE_CHOICES,
        initial=["en", "es"],
        widget=forms.CheckboxSelectMultiple,
    )
    opens_on = forms.DateField(label=_("Opens on (YYYY-MM-DD)"), required=False)
    closes_on = forms.DateField(label=_("Closes on (YYYY-MM-DD)"), required=False)

    def __init__(
        self, *args: Any, jurisdiction: Jurisdiction, with_kind: bool = True, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        areas = self.fields["areas"]
        assert isinstance(areas, forms.MultipleChoiceField)  # noqa: S101 - narrows the type
        areas.choices = [(area.code, area.name) for area in area_list(jurisdiction=jurisdiction)]
        if not with_kind:
            del self.fields["kind"]
