"""Project configuration: settings from the environment, URLs, the JSON API and the Celery app."""

from cpps.config.celery import app as celery_app

__all__ = ["celery_app"]
