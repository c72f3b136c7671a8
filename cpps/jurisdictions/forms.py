from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from cpps.accounts.models import Role


class MembershipGrantForm(forms.Form):
    username = forms.CharField(label=_("User name"), max_length=150)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
