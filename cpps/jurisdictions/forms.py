from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from cpps.accounts.models import Role
from cpps.common.forms import SingleLineField


class MembershipGrantForm(forms.Form):
    username = SingleLineField(label=_("User name"), max_length=150)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
