"""The accountability side: the partnership charter, commitments under the two-key rule,
progress updates and residents' ratings."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cpps.jurisdictions.models import Area, Jurisdiction
from cpps.participation.models import Participant
from cpps.processes.models import Process

# The kind of process this app registers (see kind.py).
SCORECARD_KIND = "scorecard"


class OwnerKind(models.TextChoices):
    POLICE = "police", _("Police department or unit")
    CITY_SERVICE = "city_service", _("City service")
    COMMUNITY_SERVICE = "community_service", _("Community service")


class OwnerBody(models.Model):
    """A body that can own commitments: the police department, a unit, a non-police service.

    Its representatives (accounts with an official role) turn the owner key for it.
    """

    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.CASCADE, related_name="owner_bodies"
    )
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=OwnerKind.choices)
    representatives = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+")

    class Meta:
        ordering = ["jurisdiction", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["jurisdiction", "name"], name="owner_body_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Charter(models.Model):
    """One version of a jurisdiction's partnership charter; in effect once both sides signed."""

    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.CASCADE, related_name="charters"
    )
    version = models.PositiveIntegerField()
    text = models.TextField()
    council_members = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+")
    quorum = models.PositiveIntegerField()
    majority_percent = models.PositiveIntegerField()
    owner_bodies = models.ManyToManyField(OwnerBody, related_name="charters")
    review_period_days = models.PositiveIntegerField()
    silence_days = models.PositiveIntegerField()
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    community_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    community_signed_at = models.DateTimeField(null=True, blank=True)
    institution_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    institution_signed_for = models.ForeignKey(
        OwnerBody, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    institution_signed_at = models.DateTimeField(null=True, blank=True)
    in_effect_from = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["jurisdiction", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["jurisdiction", "version"], name="charter_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.jurisdiction} charter v{self.version}"


class CommitmentStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed, waiting for both sides")
    AGREED = "agreed", _("Agreed")
    REJECTED = "rejected", _("Not approved by the council")
    DECLINED = "declined", _("Declined by the owner")
    CHANGES_REQUESTED = "changes_requested", _("Owner asked for changes")
    WITHDRAWN = "withdrawn", _("Withdrawn by the council")


class CommitmentFlag(models.TextChoices):
    NONE = "", _("None")
    OVERDUE = "overdue", _("Deadline missed")
    SILENT = "silent", _("No recent update")


class Commitment(models.Model):
    """A public promise answering a community priority, owned by one body."""

    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.CASCADE, related_name="commitments"
    )
    charter = models.ForeignKey(Charter, on_delete=models.PROTECT, related_name="commitments")
    title = models.CharField(max_length=200)
    action = models.TextField()
    owner = models.ForeignKey(OwnerBody, on_delete=models.PROTECT, related_name="commitments")
    areas = models.ManyToManyField(Area, blank=True, related_name="commitments")
    due_on = models.DateField()
    metric = models.CharField(max_length=200)
    baseline = models.CharField(max_length=100)
    target = models.CharField(max_length=100)
    priority = models.ForeignKey(
        "priorities.Idea",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="commitments",
    )
    version = models.PositiveIntegerField(default=1)
    council_decision = models.CharField(max_length=12, default="pending")
    owner_response = models.CharField(max_length=20, default="pending")
    withdrawn = models.BooleanField(default=False)
    status = models.CharField(
        max_length=20, choices=CommitmentStatus.choices, default=CommitmentStatus.PROPOSED
    )
    agreed_at = models.DateTimeField(null=True, blank=True)
    flag = models.CharField(
        max_length=10, choices=CommitmentFlag.choices, default=CommitmentFlag.NONE, blank=True
    )
    flagged_at = models.DateTimeField(null=True, blank=True)
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def status_label(self) -> str:
        """The status as the badge says it: while proposed, which key is still to turn."""
        if self.status != CommitmentStatus.PROPOSED:
            return str(self.get_status_display())
        council_approved = self.council_decision == "approved"
        owner_accepted = self.owner_response == "accepted"
        if council_approved and not owner_accepted:
            return str(_("Council approved, waiting for the owner"))
        if owner_accepted and not council_approved:
            return str(_("Owner accepted, waiting for the council"))
        return str(self.get_status_display())


class CouncilVote(models.Model):
    """One council member's vote on one version of a commitment."""

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="votes")
    version = models.PositiveIntegerField()
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    approve = models.BooleanField()
    cast_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["commitment", "version", "member"], name="council_vote_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.commitment_id} v{self.version}: {self.approve}"


class DecisionKey(models.TextChoices):
    COUNCIL = "council", _("Community council")
    OWNER = "owner", _("Owning body")


class CommitmentDecision(models.Model):
    """A key turned (or refused) on one version: the council's outcome or the owner's answer."""

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="decisions")
    version = models.PositiveIntegerField()
    key = models.CharField(max_length=10, choices=DecisionKey.choices)
    outcome = models.CharField(max_length=20)
    reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["decided_at", "pk"]

    def __str__(self) -> str:
        return f"{self.commitment_id} v{self.version} {self.key}: {self.outcome}"


class ChangeProposal(models.Model):
    """Either side's public proposal to change a commitment; only the council can revise it."""

    commitment = models.ForeignKey(
        Commitment, on_delete=models.CASCADE, related_name="change_proposals"
    )
    side = models.CharField(max_length=10, choices=DecisionKey.choices)
    text = models.TextField()
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    proposed_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.commitment_id}: {self.text[:40]}"


class ProgressStatus(models.TextChoices):
    ON_TRACK = "on_track", _("On track")
    AT_RISK = "at_risk", _("At risk")
    OFF_TRACK = "off_track", _("Off track")
    DONE = "done", _("Done")


class ProgressUpdate(models.Model):
    """What the owner reports: status, narrative, the metric's value, evidence."""

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="updates")
    status = models.CharField(max_length=10, choices=ProgressStatus.choices)
    narrative = models.TextField()
    metric_value = models.CharField(max_length=100, blank=True)
    evidence_url = models.URLField(blank=True)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    posted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-posted_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.commitment_id}: {self.status}"


class CouncilNotice(models.Model):
    """Something the council must look at, raised by the system (a missed deadline, silence)."""

    jurisdiction = models.ForeignKey(Jurisdiction, on_delete=models.CASCADE, related_name="+")
    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(max_length=10, choices=CommitmentFlag.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.commitment_id}: {self.kind}"


class RatingValue(models.TextChoices):
    KEPT = "kept", _("Kept")
    PARTLY = "partly", _("Partly kept")
    NOT_KEPT = "not_kept", _("Not kept")
    # Shown with the ratings, never counted in the score: the resident does not judge.
    TOO_EARLY = "too_early", _("Too early to say")
    DONT_KNOW = "dont_know", _("Don't know")


class Rating(models.Model):
    """One resident's judgement of one commitment in one scorecard (review period)."""

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="ratings")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="ratings")
    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="ratings")
    value = models.CharField(max_length=10, choices=RatingValue.choices)
    comment = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["process", "participant", "commitment"], name="rating_once_per_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.commitment_id}: {self.value}"
