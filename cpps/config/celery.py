"""The Celery app: Redis broker when `REDIS_URL` is set, in-process (eager) tasks otherwise."""

from __future__ import annotations

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cpps.config.settings")

app = Celery("cpps")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Periodic work, run by `celery -A cpps.config beat` next to the workers.
app.conf.beat_schedule = {
    # Sent responses are sealed into the audit log in batches (see listening.ResponseSeal).
    "seal-survey-responses": {
        "task": "cpps.listening.seal_responses",
        "schedule": 60.0,
    },
    # Conversations are re-analysed as votes arrive.
    "analyse-conversations": {
        "task": "cpps.deliberation.analyse_due",
        "schedule": 30.0,
    },
    # Work silent past the task time limit goes back to a state its user can retry.
    "return-stuck-work": {
        "task": "cpps.common.watchdog",
        "schedule": 60.0,
    },
    # The public record shows when its chains were last verified, and what was found.
    "check-audit-chains": {
        "task": "cpps.audit.check_chains",
        "schedule": crontab(minute=17),
    },
    "flag-overdue-and-silent-commitments": {
        "task": "cpps.accountability.flag_commitments",
        "schedule": crontab(hour=6, minute=0),
    },
}
