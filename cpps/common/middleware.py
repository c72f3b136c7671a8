"""Middleware: domain errors and service outages that escape a view become plain, translated
answers; a database written with another pseudonym key is never served; without a broker the
watchdog runs in the web process."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from cpps.common.errors import DomainError, PermissionRefusedError, ServiceUnavailableError
from cpps.common.keys import key_fingerprint_problem
from cpps.common.outage import OUTAGE_ERRORS, outage_response
from cpps.common.watchdog import stuck_work_recover

logger = logging.getLogger(__name__)


class DomainErrorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DomainError):
            return None
        status = 403 if isinstance(exception, PermissionRefusedError) else 400
        return render(
            request, "error.html", {"message": str(exception), "status": status}, status=status
        )


class ServiceOutageMiddleware:
    """A view that meets a database, cache or task-queue outage answers 503 with `Retry-After`
    (JSON under /api/). Outages in other middleware (saving the session) reach the same answer
    through `cpps.common.views.server_error`."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, OUTAGE_ERRORS):
            return None
        return outage_response(request, exception)


class PseudonymKeyGuardMiddleware:
    """Refuse every request (503, with the reason) while the database holds the fingerprint of
    another `PSEUDONYM_KEY`; checked on the first request each process serves (and again after
    a check the database could not answer), recorded there if the database has none yet."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.problem: str | None = None
        self.checked = False

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not self.checked:
            self.problem = key_fingerprint_problem()
            self.checked = True
            if self.problem:
                logger.error("Not serving: %s", self.problem)
        if self.problem:
            return outage_response(request, ServiceUnavailableError(self.problem))
        return self.get_response(request)


class InProcessWatchdogMiddleware:
    """Without a broker there is no Celery beat: the web process runs the watchdog itself, on
    its first request and then at most once a minute, so work cut short by a crash or a killed
    worker becomes retryable after a restart. Not used when a broker is configured."""

    INTERVAL_SECONDS = 60.0
    _lock = threading.Lock()
    _next_run = 0.0

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        if not settings.CELERY_TASK_ALWAYS_EAGER:
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        cls = type(self)
        # Before the view, so the page that triggered it already shows the returned work.
        if time.monotonic() >= cls._next_run and cls._lock.acquire(blocking=False):
            try:
                cls._next_run = time.monotonic() + self.INTERVAL_SECONDS
                stuck_work_recover()
            except OUTAGE_ERRORS as error:
                logger.warning("The in-process watchdog could not run: %r", error)
            finally:
                cls._lock.release()
        return self.get_response(request)
