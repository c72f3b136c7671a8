"""The watchdog: work silent for longer than the task time limit can no longer be running (the
worker would have killed it), so each app's registered watchdog returns it to a state its user
can retry. Celery beat runs it every minute (`cpps.common.watchdog`); `cpps watchdog` runs it by
hand; without a broker the web process runs it itself (see `InProcessWatchdogMiddleware`)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from cpps.common.hooks import watchdogs

# Beyond the hard time limit, for clocks that differ a little between machines.
GRACE_SECONDS = 60


def silent_since() -> datetime:
    """Work whose last sign of life is older than this is stuck."""
    return timezone.now() - timedelta(seconds=int(settings.TASK_TIME_LIMIT) + GRACE_SECONDS)


def stuck_work_recover() -> dict[str, int]:
    """Run every registered watchdog; return how much work each returned."""
    return {name: watchdog() for name, watchdog in watchdogs().items()}
