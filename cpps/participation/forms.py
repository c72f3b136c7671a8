"""Forms of taking part and of choosing who may (validation of values stays in services)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cpps.participation.demographics import PREFER_NOT_TO_SAY, QUESTIONS
from cpps.participation.models import EligibilityMode, VerificationMethod
from cpps.participation.services import MAX_LINKS_PER_REQUEST


class DemographicsForm(forms.Form):
    """The optional questions about oneself, each with "prefer not to say" (the default)."""

    def __init__(self, *args: Any, areas: list[tuple[str, str]] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if areas:
            self.fields["area"] = forms.ChoiceField(
                label=_("Where do you live?"),
                required=False,
                choices=[(PREFER_NOT_TO_SAY, _("Prefer not to say")), *areas],
            )
        for question in QUESTIONS:
            self.fields[question.key] = forms.ChoiceField(
                label=question.label,
                required=False,
                choices=[(PREFER_NOT_TO_SAY, _("Prefer not to say")), *question.choices],
                widget=forms.RadioSelect,
            )

    def answers(self) -> dict[str, str]:
        return {key: str(value) for key, value in self.cleaned_data.items() if value}


class LinkRequestForm(forms.Form):
    count = forms.IntegerField(
        label=_("How many links?"), min_value=1, max_value=MAX_LINKS_PER_REQUEST, initial=10
    )


class EligibilityForm(forms.Form):
    mode = forms.ChoiceField(
        label=_("Who may take part"),
        choices=EligibilityMode.choices,
        widget=forms.RadioSelect,
    )
    device_limit = forms.IntegerField(
        label=_("People per device (open processes; 0 for no limit)"),
        min_value=0,
        max_value=100_000,
        initial=1,
    )
    network_limit = forms.IntegerField(
        label=_("People per internet connection in each window (open processes; 0 for no limit)"),
        min_value=0,
        max_value=100_000,
        initial=5,
        help_text=_(
            "A shared connection (a library, a school, a phone network) can bring many honest "
            "people: raise this for a workshop. Bursts are shown to you below either way."
        ),
    )
    network_window_hours = forms.IntegerField(
        label=_("Window, in hours"), min_value=1, max_value=100_000, initial=24
    )
    methods = forms.MultipleChoiceField(
        label=_("Ways to prove residency (verified residents only)"),
        required=False,
        choices=VerificationMethod.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, modes: tuple[str, ...] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        mode = self.fields["mode"]
        assert isinstance(mode, forms.ChoiceField)  # noqa: S101 - narrows the type
        if modes:
            mode.choices = [(v, label) for v, label in EligibilityMode.choices if v in modes]


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("The code on your letter or slip"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "characters"}
        ),
    )


class PhoneForm(forms.Form):
    phone = forms.CharField(
        label=_("Your mobile phone number"),
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )


class OtpForm(forms.Form):
    code = forms.CharField(
        label=_("The 6-digit code we texted you"),
        max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class ListUploadForm(forms.Form):
    file = forms.FileField(
        label=_("A CSV file with one column"),
        help_text=_("One address (or phone number) per row; a header row is allowed."),
    )


class InPersonForm(forms.Form):
    identifier = forms.CharField(
        label=_("What you checked (for example the home address)"),
        max_length=300,
        help_text=_(
            "Kept only as a keyed digest, so the same person verified again gets the same code "
            "instead of a second say."
        ),
    )
    note = forms.CharField(
        label=_("Note (optional, for organisers: where and how)"), max_length=300, required=False
    )
