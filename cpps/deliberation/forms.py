"""Forms of conversations (checks of values stay in the services)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cpps.deliberation.models import ModerationMode, Statement
from cpps.deliberation.services import FLAG_REASONS


class SetupForm(forms.Form):
    topic = forms.CharField(
        label=_("The question residents respond to"),
        max_length=300,
        help_text=_("For example: “What would make you feel safer on your block?”"),
    )
    framing = forms.CharField(
        label=_("Background, in plain words (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    moderation = forms.ChoiceField(
        label=_("Moderation"), choices=ModerationMode.choices, widget=forms.RadioSelect
    )
    statement_max_length = forms.IntegerField(
        label=_("Longest statement, in characters"), min_value=40, max_value=1000, initial=280
    )
    seeds = forms.CharField(
        label=_("Seed statements to start with (one per line, optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )

    def seed_lines(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["seeds"].splitlines() if line.strip()]


class StatementForm(forms.Form):
    text = forms.CharField(
        label=_("Your statement"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "One idea, in a sentence others can agree or disagree with. Community moderators "
            "read it; please leave out names and anything that could identify someone."
        ),
    )


class FlagForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Why should moderators look at this statement?"),
        choices=[
            ("off_topic", _("It is off topic")),
            ("personal", _("It names or identifies someone")),
            ("hateful", _("It is hateful or threatening")),
            ("spam", _("It is spam or advertising")),
            ("duplicate", _("It repeats another statement")),
        ],
    )

    def clean_reason(self) -> str:
        reason = str(self.cleaned_data["reason"])
        assert reason in FLAG_REASONS  # noqa: S101 - the choices are the reasons
        return reason


class ModerationForm(forms.Form):
    reason = forms.CharField(
        label=_("Public reason (needed to take statements out)"),
        max_length=300,
        required=False,
        help_text=_("Residents can read it. Do not repeat what the statement said."),
    )


class BallotCountForm(forms.Form):
    count = forms.IntegerField(label=_("How many ballots?"), min_value=1, max_value=500, initial=20)


class BallotEntryForm(forms.Form):
    """One ballot as keyed: a vote per statement it carried, and a written statement."""

    def __init__(self, *args: Any, statements: list[Statement], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for statement in statements:
            self.fields[f"s_{statement.number}"] = forms.ChoiceField(
                label=f"{statement.number}. {statement.text}",
                required=False,
                choices=[
                    ("", _("No mark")),
                    ("agree", _("Agree")),
                    ("disagree", _("Disagree")),
                    ("pass", _("Pass / unsure")),
                ],
                widget=forms.RadioSelect,
            )
        self.fields["new_statement"] = forms.CharField(
            label=_("Statement written on the ballot (optional)"),
            required=False,
            max_length=1000,
            widget=forms.Textarea(attrs={"rows": 2}),
        )

    def values(self) -> dict[str, list[str]]:
        return {name: [str(value)] for name, value in self.cleaned_data.items() if value}


class PolisUploadForm(forms.Form):
    comments = forms.FileField(label=_("comments.csv"))
    votes = forms.FileField(
        label=_("votes.csv (optional when participants-votes.csv is given)"), required=False
    )
    participants_votes = forms.FileField(
        label=_("participants-votes.csv (optional)"), required=False
    )
