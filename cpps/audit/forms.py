"""The public record's filter: what kind of act, between which days, in which process."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from cpps.audit.actions import audit_actions
from cpps.audit.selectors import RecordFilter

TOPIC_PREFIX, ACTION_PREFIX = "topic:", "action:"


def _kind_choices() -> list[tuple[str, Any]]:
    """Every topic, and under it each action, as one grouped list (works without JavaScript)."""
    groups: dict[str, tuple[Any, list[tuple[str, Any]]]] = {}
    for action in audit_actions():
        label, options = groups.setdefault(action.topic.key, (action.topic.label, []))
        if not options:
            options.append(
                (TOPIC_PREFIX + action.topic.key, _("All: %(topic)s") % {"topic": label})
            )
        options.append((ACTION_PREFIX + action.name, action.label))
    return [("", _("Everything"))] + [(label, options) for label, options in groups.values()]


class RecordFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("What"), required=False)
    since = forms.DateField(
        label=_("From (day)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("To (day)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    process = forms.TypedChoiceField(
        label=_("Process"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args: Any, processes: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast("forms.ChoiceField", self.fields["kind"]).choices = _kind_choices()
        cast("forms.ChoiceField", self.fields["process"]).choices = [
            ("", _("Every process")),
            *processes,
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", _("The last day comes before the first day."))
        return cleaned

    def record_filter(self) -> RecordFilter:
        """The filter the valid fields make (an invalid form narrows nothing)."""
        if not self.is_valid():
            return RecordFilter()
        kind: str = self.cleaned_data.get("kind") or ""
        return RecordFilter(
            topic=kind.removeprefix(TOPIC_PREFIX) if kind.startswith(TOPIC_PREFIX) else "",
            action=kind.removeprefix(ACTION_PREFIX) if kind.startswith(ACTION_PREFIX) else "",
            since=self.cleaned_data.get("since"),
            until=self.cleaned_data.get("until"),
            process_id=self.cleaned_data.get("process"),
        )
