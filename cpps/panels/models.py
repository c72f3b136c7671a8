"""A civic lottery: the panel's settings and quotas, invited households, registrations, and the
published record of the draw (commitment, lottery, draw) that anyone can re-derive."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cpps.channels.models import OutboundSms
from cpps.participation.models import Channel
from cpps.processes.models import Process

# The kind of process this app registers (see kind.py).
PANEL_KIND = "panel"


class PanelStage(models.TextChoices):
    SETUP = "setup", _("Setting up, inviting and registering")
    FROZEN = "frozen", _("Pool frozen and committed")
    COMPUTING = "computing", _("Computing selection probabilities")
    COMPUTED = "computed", _("Lottery published, waiting for the public randomness")
    DRAWN = "drawn", _("Panel drawn")


class Panel(models.Model):
    """The lottery settings and published record of one panel process (a Process of kind panel).

    Everything from `frozen_pool` on is public: it is keyed by pseudonymous ids only.
    """

    process = models.OneToOneField(
        Process, on_delete=models.CASCADE, primary_key=True, related_name="panel"
    )
    size = models.PositiveIntegerField()
    tolerance_percent = models.PositiveSmallIntegerField(default=5)
    lottery_size = models.PositiveIntegerField(default=1000)
    algorithm = models.CharField(max_length=10, default="leximin")
    stage = models.CharField(max_length=10, choices=PanelStage.choices, default=PanelStage.SETUP)
    # What the invitation letter promises.
    stipend = models.CharField(max_length=120, blank=True)
    offers_childcare = models.BooleanField(default=False)
    offers_transport = models.BooleanField(default=False)
    helpline = models.CharField(max_length=40, blank=True)
    sms_number = models.CharField(max_length=40, blank=True)
    randomness_source = models.TextField(blank=True)
    # When the declared public randomness is itself published: the draw refuses a value entered
    # before then, since a number "from" a future event that is already known can only be chosen.
    randomness_published_at = models.DateTimeField(null=True, blank=True)
    # Frozen inputs: [[id, {category: value}, household or null], ...] and [[cat, value, min, max]].
    frozen_pool = models.JSONField(default=list, blank=True)
    frozen_quotas = models.JSONField(default=list, blank=True)
    freeze_digest = models.CharField(max_length=64, blank=True)
    frozen_at = models.DateTimeField(null=True, blank=True)
    # Share of the computation's steps reached, and what the current step is doing.
    progress = models.FloatField(default=0.0)
    progress_message = models.CharField(max_length=300, blank=True)
    # The computation's last sign of life (started, picked up by a worker, progress): the
    # watchdog returns a computation silent for longer than the task time limit.
    progress_at = models.DateTimeField(default=timezone.now)
    # Each press of Compute is a new attempt; a task for an older attempt does nothing, so a
    # task redelivered after the watchdog gave up (or after a retry) can never publish twice.
    compute_attempt = models.PositiveIntegerField(default=0)
    # How many times workers started the current attempt (a task that kills its worker is
    # redelivered; after a few runs it is given up instead of looping).
    compute_runs = models.PositiveSmallIntegerField(default=0)
    compute_error = models.TextField(blank=True)
    lottery = models.JSONField(default=list, blank=True)
    probabilities = models.JSONField(default=list, blank=True)
    commitment_digest = models.CharField(max_length=64, blank=True)
    commitment = models.JSONField(default=dict, blank=True)
    computed_at = models.DateTimeField(null=True, blank=True)
    public_randomness = models.TextField(blank=True)
    draw = models.JSONField(default=dict, blank=True)
    drawn_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"panel of {self.size} for {self.process}"


class PanelQuota(models.Model):
    """Bounds on how many panel members have `value` in `category`, with bilingual labels."""

    panel = models.ForeignKey(Panel, on_delete=models.CASCADE, related_name="quotas")
    position = models.PositiveIntegerField(default=0)
    category = models.CharField(max_length=60)
    value = models.CharField(max_length=80)
    label_en = models.CharField(max_length=120)
    label_es = models.CharField(max_length=120)
    min = models.PositiveIntegerField()
    max = models.PositiveIntegerField()
    census_share = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["panel", "category", "value"], name="panel_quota_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.category}={self.value}: {self.min}-{self.max}"


class Invitation(models.Model):
    """A household drawn at random and invited by letter (from an address list) or by text message
    (from a phone list). The address and phone number are contact data: only facilitators of the
    process see them; the household appears elsewhere only as a keyed digest."""

    panel = models.ForeignKey(Panel, on_delete=models.CASCADE, related_name="invitations")
    code = models.CharField(max_length=12, unique=True)
    household_digest = models.CharField(max_length=64)
    address = models.TextField(blank=True)
    phone = models.CharField(max_length=20, blank=True)
    # When the letter was posted (invitations by text message record theirs in `sms`).
    sent_at = models.DateTimeField(null=True, blank=True)
    sms = models.OneToOneField(
        OutboundSms,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="panel_invitation",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["panel", "household_digest"], name="invitation_household_unique"
            )
        ]

    def __str__(self) -> str:
        return f"invitation {self.code}"


class Registration(models.Model):
    """An invitee who registered: their answers under a pseudonymous id, apart from contacts."""

    panel = models.ForeignKey(Panel, on_delete=models.CASCADE, related_name="registrations")
    invitation = models.OneToOneField(
        Invitation, on_delete=models.PROTECT, related_name="registration"
    )
    person_id = models.CharField(max_length=16)
    household = models.CharField(max_length=16)
    features = models.JSONField(default=dict)
    availability = models.JSONField(default=list, blank=True)
    needs = models.JSONField(default=list, blank=True)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    registered_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["person_id"]
        constraints = [
            models.UniqueConstraint(fields=["panel", "person_id"], name="registration_id_unique"),
            models.UniqueConstraint(
                fields=["panel", "household"], name="registration_household_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"registrant {self.person_id}"


class RegistrationContact(models.Model):
    """How to reach a registrant if drawn: kept apart from the answers, facilitators only."""

    registration = models.OneToOneField(
        Registration, on_delete=models.CASCADE, related_name="contact"
    )
    name = models.CharField(max_length=200)
    phone = models.CharField(max_length=40, blank=True)
    # Keyed digest of the phone's digits: catches one person registering with two letters.
    phone_digest = models.CharField(max_length=64, blank=True)
    email = models.EmailField(blank=True)

    def __str__(self) -> str:
        return f"contact of {self.registration.person_id}"
