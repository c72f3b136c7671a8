"""Priority rounds: ideas residents compare in pairs ("which matters more?")."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from cpps.participation.models import Participant
from cpps.processes.models import Process

# The kind of process this app registers (see kind.py).
PRIORITY_ROUND_KIND = "priority_round"


class IdeaSource(models.TextChoices):
    SEED = "seed", _("Seeded by the facilitator")
    RESIDENT = "resident", _("Added by a resident")


class IdeaState(models.TextChoices):
    PENDING = "pending", _("Waiting for moderation")
    APPROVED = "approved", _("In the round")
    REJECTED = "rejected", _("Not taken into the round")


class Idea(models.Model):
    """One possible priority, in English and Spanish."""

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="ideas")
    text_en = models.CharField(max_length=240)
    text_es = models.CharField(max_length=240, blank=True)
    source = models.CharField(max_length=10, choices=IdeaSource.choices)
    state = models.CharField(max_length=10, choices=IdeaState.choices)
    # Where a seeded idea came from ("listening survey, autumn 2026"); public.
    origin = models.CharField(max_length=200, blank=True)
    submitted_by = models.ForeignKey(
        Participant, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    moderation_note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["process", "pk"]

    def __str__(self) -> str:
        return self.text_en

    def text_for(self, language: str) -> str:
        """The idea in `language`, falling back to English."""
        if language.startswith("es") and self.text_es:
            return self.text_es
        return self.text_en


class Comparison(models.Model):
    """One resident's answer to "which matters more?" for one pair of ideas."""

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="comparisons")
    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="comparisons"
    )
    winner = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="+")
    loser = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["process", "participant"])]

    def __str__(self) -> str:
        return f"{self.winner_id} > {self.loser_id}"
