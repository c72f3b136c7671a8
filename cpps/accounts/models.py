from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from cpps.jurisdictions.models import Jurisdiction


class User(AbstractUser):
    """A person with a login: community organisers, council members, officials, staff.

    Residents taking part in a process usually have no account at all (see `Participant`).
    """


class Role(models.TextChoices):
    RESIDENT = "resident", _("Resident")
    FACILITATOR = "facilitator", _("Facilitator")
    COUNCIL_MEMBER = "council_member", _("Community council member")
    POLICE_LIAISON = "police_liaison", _("Police liaison")
    CITY_OFFICIAL = "city_official", _("City official")
    AUDITOR = "auditor", _("Auditor")
    ADMIN = "admin", _("Technical administrator")


class Membership(models.Model):
    """A role a user holds in one jurisdiction; a person may hold several."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["jurisdiction", "role", "user"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "jurisdiction", "role"], name="membership_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} in {self.jurisdiction}"
