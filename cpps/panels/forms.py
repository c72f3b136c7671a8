from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from cpps.common.forms import SingleLineField
from cpps.panels import adapters
from cpps.panels.models import PanelQuota
from cpps.panels.services import MAX_INVITATIONS, MAX_PANEL_SIZE

VARIABLE_CHOICES = (
    ("sex", _("Sex")),
    ("age_band", _("Age band (adults)")),
    ("race_ethnicity", _("Race and ethnicity")),
)
AVAILABILITY_CHOICES = (
    ("weekday_evenings", _("Weekday evenings")),
    ("saturdays", _("Saturdays")),
    ("sundays", _("Sundays")),
    ("weekday_daytime", _("Weekday daytime")),
)
NEEDS_CHOICES = (
    ("childcare", _("Childcare during sessions")),
    ("transport", _("Help with transport")),
    ("interpretation", _("Spanish interpretation")),
    ("accessibility", _("Step-free access or other accessibility support")),
    ("stipend", _("I would like the stipend for my time")),
)


class SetupForm(forms.Form):
    size = forms.IntegerField(
        label=_("Panel size"), min_value=1, max_value=MAX_PANEL_SIZE, initial=30
    )
    variables = forms.MultipleChoiceField(
        label=_("Stratify by (census categories)"),
        choices=VARIABLE_CHOICES,
        initial=["sex", "age_band"],
        widget=forms.CheckboxSelectMultiple,
    )
    tolerance_percent = forms.IntegerField(
        label=_("Tolerance around census shares (percentage points)"),
        min_value=0,
        max_value=50,
        initial=5,
    )
    lottery_size = forms.IntegerField(
        label=_("Panels in the final lottery"), min_value=1, max_value=10_000, initial=1000
    )
    stipend = SingleLineField(
        label=_("Stipend offered (leave empty if none)"),
        max_length=120,
        required=False,
        help_text=_("As the letter should say it, e.g. “$300 for the six sessions”."),
    )
    offers_childcare = forms.BooleanField(label=_("Childcare offered"), required=False)
    offers_transport = forms.BooleanField(label=_("Transport support offered"), required=False)
    helpline = SingleLineField(
        label=_("Phone number to register by phone (a facilitator keys in the form)"),
        max_length=40,
        required=False,
    )
    sms_number = SingleLineField(
        label=_("Number to register by text message"),
        max_length=40,
        required=False,
        help_text=_("The SMS number whose webhook is this panel's SMS address shown below."),
    )


class QuotaUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Quotas file (CSV: category,feature,min,max)"),
        help_text=_("Replaces the census quotas, e.g. with categories.csv from a sortition tool."),
    )


class InvitationUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Address list or phone list (CSV with an “address” or a “phone” column)"),
        help_text=_(
            "UTF-8 text, one row per household. An address list may add “unit”, “zip” and "
            "“phone” columns; a phone list without addresses is invited by text message."
        ),
    )
    sample_size = forms.IntegerField(
        label=_("Households to invite (random sample)"),
        min_value=1,
        max_value=MAX_INVITATIONS,
        initial=200,
    )


class FreezeForm(forms.Form):
    randomness_source = forms.CharField(
        label=_("Declared source of public randomness"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Name a future public random number and its date, e.g. “Illinois Pick 4 evening "
            "draw of 2026-12-04, four digits in order” or “drand mainnet round 5200000”."
        ),
    )
    randomness_published_at = forms.DateTimeField(
        label=_("When that randomness will be published"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_(
            "The date and time, in the city's time zone, e.g. 2026-12-04 21:30. It must be "
            "later than now; the draw refuses the randomness until then."
        ),
    )


class DrawForm(forms.Form):
    public_randomness = SingleLineField(
        label=_("The public randomness, exactly as published"), max_length=500
    )


def quota_label(quota: PanelQuota) -> str:
    return quota.label_es if (get_language() or "en").startswith("es") else quota.label_en


def question_text(category: str) -> str:
    english, spanish = adapters.category_question(category)
    return spanish if (get_language() or "en").startswith("es") else english


class RegistrationForm(forms.Form):
    """The invitee's code, the questions the quotas use, availability, needs and contact."""

    code = SingleLineField(
        label=_("Your code (on your letter)"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )

    def __init__(self, *args: Any, quotas: list[PanelQuota], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        by_category: dict[str, list[tuple[str, str]]] = {}
        for quota in quotas:
            by_category.setdefault(quota.category, []).append((quota.value, quota_label(quota)))
        self.categories = list(by_category)
        for category, choices in by_category.items():
            self.fields[f"q_{category}"] = forms.ChoiceField(
                label=question_text(category), choices=choices, widget=forms.RadioSelect
            )
        self.fields["availability"] = forms.MultipleChoiceField(
            label=_("When could you take part?"),
            choices=AVAILABILITY_CHOICES,
            required=False,
            widget=forms.CheckboxSelectMultiple,
        )
        self.fields["needs"] = forms.MultipleChoiceField(
            label=_("What support would you need?"),
            choices=NEEDS_CHOICES,
            required=False,
            widget=forms.CheckboxSelectMultiple,
        )
        self.fields["name"] = SingleLineField(
            label=_("Your name"),
            max_length=200,
            help_text=_("Only the organisers see it, to contact you if you are drawn."),
        )
        self.fields["phone"] = SingleLineField(
            label=_("Phone number"), max_length=40, required=False
        )
        self.fields["email"] = forms.EmailField(label=_("Email"), required=False)

    def answers(self) -> dict[str, str]:
        return {category: self.cleaned_data[f"q_{category}"] for category in self.categories}
