"""The Celery app: Redis broker when `REDIS_URL` is set, in-process (eager) tasks otherwise."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cpps.config.settings")

app = Celery("cpps")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
