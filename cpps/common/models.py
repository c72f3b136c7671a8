"""Shared infrastructure rows: the outbound text messages any app can queue."""

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
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        indexes = [models.Index(fields=["status"], name="outbound_sms_status")]

    def __str__(self) -> str:
        return f"text message {self.pk} ({self.purpose}, {self.status})"
