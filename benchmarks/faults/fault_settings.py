"""Settings for the fault drills: the real settings, with the broker looking for tasks whose
worker vanished every 2 seconds instead of every 100, so a drill round ends in minutes."""

from cpps.config.settings import *  # noqa: F403 - the drills run the real configuration

CELERY_BROKER_TRANSPORT_OPTIONS = {
    **CELERY_BROKER_TRANSPORT_OPTIONS,  # noqa: F405
    "unacked_restore_interval": 2,
    "unacked_restore_throttle": 1,
}
