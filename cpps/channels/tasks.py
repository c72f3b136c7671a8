"""Background work of the channels: sending queued text messages in batches."""

from __future__ import annotations

from celery import shared_task

from cpps.channels.outbound import sms_deliver


# The name predates this module; queued batches in a broker still carry it.
@shared_task(name="cpps.common.sms_deliver_batch")  # type: ignore[untyped-decorator]  # celery is untyped
def sms_deliver_batch(message_ids: list[int]) -> dict[str, int]:
    """Send one batch of queued text messages; return how many ended in each status."""
    return sms_deliver(message_ids=message_ids)
