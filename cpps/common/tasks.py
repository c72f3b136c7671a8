"""Background work shared by the apps: sending queued text messages in batches."""

from __future__ import annotations

from cpps.common.sms import sms_deliver
from cpps.config.celery import app


@app.task(name="cpps.common.sms_deliver_batch")  # type: ignore[untyped-decorator]  # celery is untyped
def sms_deliver_batch(message_ids: list[int]) -> dict[str, int]:
    """Send one batch of queued text messages; return how many ended in each status."""
    return sms_deliver(message_ids=message_ids)
