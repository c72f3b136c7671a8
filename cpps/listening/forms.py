from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cpps.common.forms import SingleLineField
from cpps.jurisdictions.models import Area
from cpps.listening.models import Question, QuestionKind
from cpps.participation.demographics import QUESTIONS as DEMOGRAPHIC_QUESTIONS


class QuestionForm(forms.Form):
    """A facilitator's own question, in both languages."""

    kind = forms.ChoiceField(label=_("Kind of question"), choices=QuestionKind.choices)
    text_en = SingleLineField(label=_("Question in English"), max_length=400)
    text_es = SingleLineField(label=_("Question in Spanish"), max_length=400)
    choice_lines = forms.CharField(
        label=_("Answers to choose from"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("For choice questions only: one answer per line, as “English | Español”."),
    )
    scale_low_en = SingleLineField(label=_("0 means (English)"), required=False, max_length=80)
    scale_low_es = SingleLineField(label=_("0 means (Spanish)"), required=False, max_length=80)
    scale_high_en = SingleLineField(label=_("10 means (English)"), required=False, max_length=80)
    scale_high_es = SingleLineField(label=_("10 means (Spanish)"), required=False, max_length=80)


def answer_field(question: Question, language: str) -> forms.Field:
    """The form field a resident answers ``question`` with (never required: skipping is fine)."""
    label = question.text(language)
    if question.kind == QuestionKind.SCALE:
        low, high = question.scale_labels(language)
        choices = [(str(n), str(n)) for n in range(11)]
        help_text = f"0 = {low}, 10 = {high}" if low and high else ""
        return forms.ChoiceField(
            label=label,
            choices=choices,
            required=False,
            widget=forms.RadioSelect(attrs={"class": "scale"}),
            help_text=help_text,
        )
    if question.kind == QuestionKind.SINGLE:
        return forms.ChoiceField(
            label=label,
            choices=question.choice_labels(language),
            required=False,
            widget=forms.RadioSelect,
        )
    if question.kind == QuestionKind.MULTI:
        return forms.MultipleChoiceField(
            label=label,
            choices=question.choice_labels(language),
            required=False,
            widget=forms.CheckboxSelectMultiple,
        )
    return forms.CharField(
        label=label, required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 4})
    )


class AnswerForm(forms.Form):
    def __init__(self, *args: Any, question: Question, language: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["answer"] = answer_field(question, language)

    def values(self) -> list[str]:
        value = self.cleaned_data.get("answer")
        if isinstance(value, list):
            return [str(item) for item in value]
        return [str(value)] if value not in (None, "") else []


class AboutYouForm(forms.Form):
    """Where the resident lives and the optional questions used only for weighting."""

    def __init__(self, *args: Any, areas: list[Area], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"] = forms.ChoiceField(
            label=_("Which police district do you live in?"),
            required=False,
            choices=[("", _("Prefer not to say")), *((a.code, a.name) for a in areas)],
        )
        for question in DEMOGRAPHIC_QUESTIONS:
            self.fields[question.key] = forms.ChoiceField(
                label=question.label,
                required=False,
                choices=[("", _("Prefer not to say")), *question.choices],
                widget=forms.RadioSelect,
            )


class PaperEntryForm(forms.Form):
    """One paper form keyed in: its code, then every question and the "about you" answers."""

    form_code = forms.RegexField(
        label=_("Form number (printed at the top right)"),
        regex=r"^[A-Za-z0-9-]{3,20}$",
        max_length=20,
    )

    def __init__(
        self, *args: Any, questions: list[Question], areas: list[Area], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        for question in questions:
            field = answer_field(question, "en")
            field.label = f"{question.position}. {question.text_en}"
            if question.kind == QuestionKind.SCALE:
                field.widget = forms.Select()
                field.choices = [("", "—"), *((str(n), str(n)) for n in range(11))]  # type: ignore[attr-defined]
            elif question.kind == QuestionKind.SINGLE:
                field.widget = forms.Select()
                field.choices = [("", "—"), *question.choice_labels("en")]  # type: ignore[attr-defined]
            self.fields[f"q_{question.key}"] = field
        about = AboutYouForm(areas=areas)
        for name, field in about.fields.items():
            if isinstance(field, forms.ChoiceField):
                field.widget = forms.Select()
                field.choices = field.choices  # hands the choices to the new widget
            self.fields[f"about_{name}"] = field
