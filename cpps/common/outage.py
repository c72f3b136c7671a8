"""Answers for a request that meets a service outage: 503 with `Retry-After`, never a 500.

Database errors (the server is down, hung past its timeouts, or a backend was terminated),
Redis errors (the cache and the rate limits live there) and a task queue that cannot be reached
all mean the request may work a little later. The answer is JSON `{"detail": ...}` under
`/api/` and a plain translated page elsewhere, rendered without touching the database or the
cache (no context processors, no session, no user).
"""

from __future__ import annotations

import logging

import kombu.exceptions
import redis.exceptions
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from cpps.common.errors import ServiceUnavailableError

# Raised when a task cannot be handed to the broker (Redis down, refusing or hung).
BROKER_ERRORS: tuple[type[Exception], ...] = (
    kombu.exceptions.OperationalError,
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
)
DATABASE_ERRORS: tuple[type[Exception], ...] = (OperationalError, InterfaceError)
OUTAGE_ERRORS: tuple[type[Exception], ...] = (
    ServiceUnavailableError,
    *DATABASE_ERRORS,
    *BROKER_ERRORS,
)
RETRY_AFTER_SECONDS = 30

logger = logging.getLogger(__name__)


def outage_message(error: Exception) -> str:
    """What the person is told: the error's own message if it has one for them, else which kind
    of service is not answering."""
    if isinstance(error, ServiceUnavailableError):
        return str(error)
    if isinstance(error, DATABASE_ERRORS):
        return _(
            "The database is not answering right now, so this could not be done. Try again in "
            "a minute."
        )
    return _(
        "A service this site needs (its cache or its task queue) is not answering right now, "
        "so this could not be done. Try again in a minute."
    )


def outage_response(request: HttpRequest, error: Exception) -> HttpResponse:
    """The 503 for `error`, which must be one of `OUTAGE_ERRORS`."""
    logger.warning("Service outage on %s %s: %r", request.method, request.path, error)
    message = outage_message(error)
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": message}, status=503)
    else:
        page = render_to_string("outage.html", {"message": message, "request": request})
        response = HttpResponse(page, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response
