"""Writes for shared infrastructure: queueing outbound text messages for the background task.

Callers check permissions and record their own audit event; these functions only store and
schedule. Bodies and numbers are personal data and never go into an audit payload.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings
from django.db import transaction

from cpps.common.models import OutboundSms, SmsStatus
from cpps.common.tasks import sms_deliver_batch


def sms_queue(*, key: str, purpose: str, to: str, body: str) -> OutboundSms:
    """Queue the message known by `key`, once: a key already sent or being sent is returned
    untouched, and a key whose sending failed is queued again."""
    message, created = OutboundSms.objects.get_or_create(
        key=key, defaults={"purpose": purpose, "to": to, "body": body}
    )
    if not created and message.status == SmsStatus.FAILED:
        message.status, message.error = SmsStatus.QUEUED, ""
        message.save(update_fields=["status", "error"])
    return message


def sms_dispatch(*, message_ids: Sequence[int]) -> None:
    """Hand the messages to the background task in batches spaced `SMS_BATCH_SECONDS` apart,
    once the current transaction commits (in-process at once without a broker)."""
    size = max(1, int(settings.SMS_BATCH_SIZE))
    spacing = max(0, int(settings.SMS_BATCH_SECONDS))
    ids = list(message_ids)
    batches = [ids[first : first + size] for first in range(0, len(ids), size)]

    def send() -> None:
        for number, batch in enumerate(batches):
            sms_deliver_batch.apply_async(args=[batch], countdown=number * spacing)

    transaction.on_commit(send)
