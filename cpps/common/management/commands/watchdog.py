"""cpps watchdog: return work stuck past the task time limit to a state its user can retry
(what Celery beat runs every minute), e.g. from cron on a set-up without beat."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from cpps.common.watchdog import stuck_work_recover


class Command(BaseCommand):
    help = "Return work stuck past TASK_TIME_LIMIT to a state its user can retry."

    def handle(self, *args: Any, **options: Any) -> None:
        for name, count in stuck_work_recover().items():
            self.stdout.write(f"{name}: {count} returned")
