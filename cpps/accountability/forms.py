from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cpps.accountability.models import OwnerBody, OwnerKind, ProgressStatus, RatingValue
from cpps.accounts.models import Membership, Role, User
from cpps.common.forms import SingleLineField
from cpps.jurisdictions.models import Jurisdiction
from cpps.jurisdictions.selectors import area_list
from cpps.priorities.selectors import approved_ideas


def _account_choices(jurisdiction: Jurisdiction, roles: set[str]) -> list[tuple[int, str]]:
    """Accounts are offered by number and role only: names are not shown on these pages."""
    rows = (
        Membership.objects.filter(jurisdiction=jurisdiction, role__in=roles)
        .order_by("user_id", "role")
        .values_list("user_id", "role")
    )
    return [(pk, f"#{pk} ({Role(role).label})") for pk, role in rows]


class OwnerBodyForm(forms.Form):
    name = SingleLineField(label=_("Name of the body"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind of body"), choices=OwnerKind.choices)
    representatives = forms.TypedMultipleChoiceField(
        label=_("Representatives who answer for it"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, jurisdiction: Jurisdiction, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["representatives"]
        assert isinstance(field, forms.TypedMultipleChoiceField)  # noqa: S101 - narrows
        field.choices = _account_choices(jurisdiction, {Role.POLICE_LIAISON, Role.CITY_OFFICIAL})

    def users(self) -> list[User]:
        return list(User.objects.filter(pk__in=self.cleaned_data["representatives"]))


class CharterForm(forms.Form):
    text = forms.CharField(
        label=_("What the partnership agrees to"),
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    council_members = forms.TypedMultipleChoiceField(
        label=_("Members of the community council"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )
    quorum = forms.IntegerField(
        label=_("Quorum: votes needed before the council decides"), min_value=1
    )
    majority_percent = forms.IntegerField(
        label=_("Majority: more than this share of votes cast must approve (per cent)"),
        min_value=0,
        max_value=99,
        initial=50,
    )
    owner_bodies = forms.ModelMultipleChoiceField(
        label=_("Bodies that can own commitments"),
        queryset=OwnerBody.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    review_period_days = forms.IntegerField(
        label=_("Residents review commitments every (days)"), min_value=1, initial=90
    )
    silence_days = forms.IntegerField(
        label=_("Flag a commitment with no update for (days)"), min_value=1, initial=30
    )

    def __init__(self, *args: Any, jurisdiction: Jurisdiction, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        members = self.fields["council_members"]
        assert isinstance(members, forms.TypedMultipleChoiceField)  # noqa: S101 - narrows
        members.choices = _account_choices(jurisdiction, {Role.COUNCIL_MEMBER})
        bodies = self.fields["owner_bodies"]
        assert isinstance(bodies, forms.ModelMultipleChoiceField)  # noqa: S101 - narrows
        bodies.queryset = OwnerBody.objects.filter(jurisdiction=jurisdiction)

    def members(self) -> list[User]:
        return list(User.objects.filter(pk__in=self.cleaned_data["council_members"]))


class CommitmentForm(forms.Form):
    title = SingleLineField(label=_("Commitment, in a few words"), max_length=200)
    action = forms.CharField(label=_("What will be done"), widget=forms.Textarea(attrs={"rows": 3}))
    owner = forms.ModelChoiceField(label=_("Who owns it"), queryset=OwnerBody.objects.none())
    priority: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Which community priority it answers"),
        queryset=None,
        required=False,
    )
    areas = forms.MultipleChoiceField(
        label=_("Areas"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave empty for the whole jurisdiction."),
    )
    due_on = forms.DateField(label=_("Done by (YYYY-MM-DD)"))
    metric = SingleLineField(label=_("How it will be measured (metric)"), max_length=200)
    baseline = SingleLineField(label=_("Baseline: where things stand now"), max_length=100)
    target = SingleLineField(label=_("Target"), max_length=100)

    def __init__(self, *args: Any, jurisdiction: Jurisdiction, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner = self.fields["owner"]
        assert isinstance(owner, forms.ModelChoiceField)  # noqa: S101 - narrows
        owner.queryset = OwnerBody.objects.filter(jurisdiction=jurisdiction)
        priority = self.fields["priority"]
        assert isinstance(priority, forms.ModelChoiceField)  # noqa: S101 - narrows
        priority.queryset = approved_ideas(jurisdiction=jurisdiction)
        areas = self.fields["areas"]
        assert isinstance(areas, forms.MultipleChoiceField)  # noqa: S101 - narrows
        areas.choices = [(a.code, a.name) for a in area_list(jurisdiction=jurisdiction)]


class ProgressForm(forms.Form):
    status = forms.ChoiceField(
        label=_("How the work stands"),
        choices=ProgressStatus.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how the work stands.")},
    )
    narrative = forms.CharField(
        label=_("What has been done"),
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Say in a few sentences what has been done.")},
    )
    metric_value = SingleLineField(
        label=_("Current value of the metric"), max_length=100, required=False
    )
    evidence_url = forms.URLField(
        label=_("Link to evidence"), required=False, assume_scheme="https"
    )


class VoteForm(forms.Form):
    """A council member's vote: the two buttons of the commitment page."""

    approve = forms.ChoiceField(
        choices=(("yes", _("Vote to approve")), ("no", _("Vote against"))),
        error_messages={
            "required": _("Vote to approve or not to approve."),
            "invalid_choice": _("Vote to approve or not to approve."),
        },
    )


class RespondForm(forms.Form):
    """The owner's answer; anything but accepting needs a public reason."""

    response = forms.ChoiceField(
        choices=(
            ("accepted", _("Accept")),
            ("changes_requested", _("Ask for changes")),
            ("declined", _("Decline")),
        ),
        widget=forms.RadioSelect,
        error_messages={"required": _("Accept, decline or ask for changes.")},
    )
    reason = forms.CharField(
        label=_("Public reason (needed unless you accept)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, owner: str, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "respond-%s")
        super().__init__(*args, **kwargs)
        self.fields["response"].label = _("Answer for %(owner)s") % {"owner": owner}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("response") not in {None, "accepted"} and not data.get("reason", "").strip():
            self.add_error(
                "reason", _("Give the public reason for declining or asking for changes.")
            )
        return data


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for withdrawing (public)"),
        max_length=500,
        error_messages={"required": _("Give the public reason for withdrawing it.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "withdraw-%s")
        super().__init__(*args, **kwargs)


class ProposalForm(forms.Form):
    text = forms.CharField(
        label=_("Propose a change (public)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Describe the change you propose.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "proposal-%s")
        super().__init__(*args, **kwargs)


class RatingForm(forms.Form):
    value = forms.ChoiceField(
        label=_("Was this commitment kept?"), choices=RatingValue.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("Comment (optional; read by community organisers, never shown to police)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
