"""Text messages and phone calls: what came in, where each phone stands, what goes out.

Phone numbers coming in are never stored: conversations are keyed by a digest keyed with the
pseudonym key and the process. Outbound messages necessarily carry the number they go to; only
the app that queued one shows it, and only to roles allowed to see personal data.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from cpps.processes.models import Process


class Medium(models.TextChoices):
    SMS = "sms", _("Text message")
    VOICE = "voice", _("Phone call")


class InboundDelivery(models.Model):
    """A webhook request already handled, with the reply it got, so retries get the same reply.

    ``sid`` is Twilio's MessageSid (SMS) or CallSid (voice); ``step`` numbers a call's turns.
    """

    channel = models.CharField(max_length=10, choices=Medium.choices)
    sid = models.CharField(max_length=64)
    step = models.PositiveIntegerField(default=0)
    reply = models.TextField(blank=True)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "listening_inbounddelivery"  # created by the listening app; the rows stayed
        constraints = [
            models.UniqueConstraint(fields=["channel", "sid", "step"], name="delivery_once")
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.sid} #{self.step}"


class Conversation(models.Model):
    """Where one phone stands in one process, by text message or by call.

    The capability that owns the process keeps its place in ``state`` (a survey: the response
    being answered; a priority round: the pair on screen) and may tie the conversation to the
    participant it speaks for.
    """

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=10, choices=Medium.choices)
    phone_digest = models.CharField(max_length=64)
    language = models.CharField(max_length=8, blank=True)
    opted_out = models.BooleanField(default=False)
    participant = models.ForeignKey(
        "participation.Participant",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    state = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["process", "channel", "phone_digest"], name="conversation_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.channel} conversation {self.pk}"


class ChannelRoute(models.Model):
    """Which process a shared number (and, when several share it, a keyword) leads to.

    Webhooks that name their process (``/hooks/sms/<id>/``) need no route; a number pointed at
    the shared ``/hooks/sms/`` address is routed here.
    """

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="channel_routes")
    number = models.CharField(max_length=20)
    keyword = models.CharField(max_length=20, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["number", "keyword"], name="channel_route_once")
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.keyword or '*'} -> {self.process_id}"


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
        db_table = "common_outboundsms"  # created by the common app; the rows stayed
        ordering = ["pk"]
        indexes = [models.Index(fields=["status"], name="outbound_sms_status")]

    def __str__(self) -> str:
        return f"text message {self.pk} ({self.purpose}, {self.status})"
