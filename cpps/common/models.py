"""Shared infrastructure rows: the outbound text messages any app can queue, and the fingerprint
of the secret key the database was written with."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class SmsStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class OutboundSms(models.Model):
    """One text message to send and what became of it.

    `key` names what the message is for (e.g. one invitation): a key is queued once and a message
    leaves at most once, however often sending is retried. The number and the body are personal
    data (bodies often carry a code): only the app that queued a message shows them, and only to
    roles allowed to see personal data.
    """

    key = models.CharField(max_length=100, unique=True)
    purpose = models.CharField(max_length=40)
    to = models.CharField(max_length=20)
    body = models.TextField()
    status = models.CharField(max_length=10, choices=SmsStatus.choices, default=SmsStatus.QUEUED)
    backend = models.CharField(max_length=40, blank=True)
    provider_id = models.CharField(max_length=64, blank=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    # When its batch was handed to the background worker to send (a batch may wait its turn):
    # a message still queued long after that was lost with its task, and the watchdog marks it
    # failed so that it can be sent again.
    due_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        indexes = [models.Index(fields=["status"], name="outbound_sms_status")]

    def __str__(self) -> str:
        return f"text message {self.pk} ({self.purpose}, {self.status})"


class KeyFingerprint(models.Model):
    """Which secret key the database was written with: an HMAC of a fixed label under the key,
    which identifies the key without revealing it.

    Pseudonyms and contact digests are keyed with `PSEUDONYM_KEY`; served with another key, a
    restored database would take a phone that finished a survey for a new one. Startup and
    `cpps restore` refuse a database whose fingerprint is not the configured key's.
    """

    name = models.CharField(max_length=40, primary_key=True)
    fingerprint = models.CharField(max_length=64)
    recorded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"fingerprint of {self.name}"
