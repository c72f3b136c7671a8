from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cpps.jurisdictions.models import Area, Jurisdiction
from cpps.processes.kinds import kind_choices


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
    # Each capability registers its kind (see kinds.py); the processes app knows none by name.
    kind = models.CharField(max_length=20, choices=kind_choices)
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
