from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cpps.jurisdictions.models import Area, Jurisdiction


class ProcessKind(models.TextChoices):
    PANEL = "panel", _("Community panel (civic lottery)")
    SURVEY = "survey", _("Safety and trust survey")
    DELIBERATION = "deliberation", _("Deliberation")
    PRIORITY_ROUND = "priority_round", _("Priority round")
    SCORECARD = "scorecard", _("Resident scorecard")


class ProcessState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")
    PUBLISHED = "published", _("Results published")


class Process(models.Model):
    """A community-led process in a jurisdiction: a panel, a survey, a deliberation, ..."""

    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.CASCADE, related_name="processes"
    )
    kind = models.CharField(max_length=20, choices=ProcessKind.choices)
    title = models.CharField(max_length=200)
    purpose = models.TextField()
    state = models.CharField(
        max_length=12, choices=ProcessState.choices, default=ProcessState.DRAFT
    )
    areas = models.ManyToManyField(Area, blank=True, related_name="processes")
    languages = models.JSONField(default=list)
    opens_on = models.DateField(null=True, blank=True)
    closes_on = models.DateField(null=True, blank=True)
    convened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Salts this process's pseudonyms so that the same person cannot be linked across processes.
    pseudonym_salt = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class Channel(models.TextChoices):
    WEB = "web", _("Web")
    SMS = "sms", _("Text message")
    VOICE = "voice", _("Phone call")
    PAPER = "paper", _("Paper form")


class Participant(models.Model):
    """A resident taking part in one process, known only by a per-process pseudonym.

    There is no link to a user account, a phone number or an IP address: answers keyed to a
    participant cannot be traced back to a person without the pseudonym key, which lives
    outside the database.
    """

    # Lookups by process use the (process, pseudonym) constraint's index.
    process = models.ForeignKey(
        Process, on_delete=models.CASCADE, related_name="participants", db_index=False
    )
    pseudonym = models.CharField(max_length=64)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    # Self-reported and optional; used only to weight results to the census.
    demographics = models.JSONField(default=dict, blank=True)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["process", "pseudonym"], name="participant_pseudonym_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.process_id}:{self.pseudonym[:8]}"


class OneTimeLink(models.Model):
    """A signed invitation to take part without an account; usable once.

    Only a digest of the link's secret is stored, so the database cannot be used to rebuild
    links that were handed out.
    """

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="one_time_links")
    secret_digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    redeemed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"link {self.pk} for process {self.process_id}"
