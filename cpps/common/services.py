"""Writes for shared infrastructure: queueing outbound text messages for the background task.

Callers check permissions and record their own audit event; these functions only store and
schedule. Bodies and numbers are personal data and never go into an audit payload.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cpps.common.errors import ServiceUnavailableError
from cpps.common.models import OutboundSms, SmsStatus
from cpps.common.outage import BROKER_ERRORS
from cpps.common.tasks import sms_deliver_batch
from cpps.common.watchdog import silent_since


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
    once the current transaction commits (in-process at once without a broker).

    Raises:
        ServiceUnavailableError: the task queue could not be reached after the commit; the
            messages not handed over are marked failed (so sending again retries them).
    """
    size = max(1, int(settings.SMS_BATCH_SIZE))
    spacing = max(0, int(settings.SMS_BATCH_SECONDS))
    ids = list(message_ids)
    batches = [ids[first : first + size] for first in range(0, len(ids), size)]
    now = timezone.now()
    for number, batch in enumerate(batches):
        due = now + timedelta(seconds=number * spacing)
        OutboundSms.objects.filter(pk__in=batch).update(due_at=due)

    def send() -> None:
        for number, batch in enumerate(batches):
            try:
                sms_deliver_batch.apply_async(args=[batch], countdown=number * spacing)
            except BROKER_ERRORS as error:
                unsent = [pk for later in batches[number:] for pk in later]
                OutboundSms.objects.filter(pk__in=unsent, status=SmsStatus.QUEUED).update(
                    status=SmsStatus.FAILED,
                    error=_("Not sent: the background worker could not be reached."),
                )
                raise ServiceUnavailableError(
                    ngettext(
                        "The background worker could not be reached, so %(count)s text "
                        "message was not sent; it is marked as failed. Send it again in a few "
                        "minutes.",
                        "The background worker could not be reached, so %(count)s text "
                        "messages were not sent; they are marked as failed. Send them again in "
                        "a few minutes.",
                        len(unsent),
                    )
                    % {"count": len(unsent)}
                ) from error

    transaction.on_commit(send)


def sms_lost_recover() -> int:
    """Mark failed every message still queued long after its batch was due (its task was lost,
    e.g. with a broker that restarted empty), so that sending again retries it; return how
    many. A lost task that turns up later finds the message no longer queued and skips it."""
    return OutboundSms.objects.filter(status=SmsStatus.QUEUED, due_at__lt=silent_since()).update(
        status=SmsStatus.FAILED,
        error=_("Not sent: the background worker lost this message. Send it again."),
    )
