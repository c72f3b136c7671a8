"""Background work shared by the apps: sending queued text messages in batches, and the
watchdog that returns stuck work to a state its user can retry."""

from __future__ import annotations

from cpps.common.sms import sms_deliver
from cpps.common.watchdog import stuck_work_recover
from cpps.config.celery import app


@app.task(name="cpps.common.sms_deliver_batch")  # type: ignore[untyped-decorator]  # celery is untyped
def sms_deliver_batch(message_ids: list[int]) -> dict[str, int]:
    """Send one batch of queued text messages; return how many ended in each status.

    Safe to run twice (late acknowledgement redelivers a task whose worker died): a message is
    claimed before it is sent, so a second run skips it.
    """
    return sms_deliver(message_ids=message_ids)


@app.task(name="cpps.common.watchdog")  # type: ignore[untyped-decorator]  # celery is untyped
def watchdog() -> dict[str, int]:
    """Return work stuck past its time limit to a state its user can retry; how much per kind."""
    return stuck_work_recover()
