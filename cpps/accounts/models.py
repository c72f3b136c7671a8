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


class RequestState(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")


class MembershipRequest(models.Model):
    """A role a technical administrator asked to give that carries a say in content or access to
    what residents said: it takes effect only when a facilitator or council member of the
    jurisdiction, other than the person who asked and the person named, approves it."""

    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.CASCADE, related_name="membership_requests"
    )
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_requests")
    role = models.CharField(max_length=20, choices=Role.choices)
    requested_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="role_requests_made"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    state = models.CharField(
        max_length=10, choices=RequestState.choices, default=RequestState.PENDING
    )
    decided_by = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="role_requests_decided",
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["jurisdiction", "requested_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "jurisdiction", "role"],
                condition=models.Q(state="pending"),
                name="membership_request_one_pending",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} in {self.jurisdiction} ({self.state})"
