"""Operational endpoints, and the answer to an error no view handled."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from cpps.common.outage import OUTAGE_ERRORS, outage_response

# /healthz answers within this many seconds whatever the database and Redis do.
HEALTH_DEADLINE_SECONDS = 1.5


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 handler: an outage anywhere in the request (in middleware too) is a 503."""
    error = sys.exc_info()[1]
    if isinstance(error, OUTAGE_ERRORS):
        return outage_response(request, error)
    return defaults.server_error(request)


def _database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # any failure is reported, none raised
        return f"error: {type(error).__name__}"
    finally:
        connection.close()  # the checking thread's own connection
    return "ok"


def _redis_status() -> str:
    if not settings.REDIS_URL:
        return "not configured"
    import redis  # noqa: PLC0415 - only needed when Redis is configured

    timeout = min(float(settings.REDIS_TIMEOUT), HEALTH_DEADLINE_SECONDS)
    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_timeout=timeout, socket_connect_timeout=timeout
        )
        client.ping()
        client.close()
    except redis.RedisError as error:
        return f"error: {type(error).__name__}"
    return "ok"


class _Probe:
    """One check at a time in its own thread, so a hung server delays no answer and a stream of
    health checks against it never piles up threads: while a check is still waiting, the next
    ones wait for that same check."""

    def __init__(self, check: Callable[[], str]) -> None:
        self.check = check
        self.lock = threading.Lock()
        self.pending: Future[str] | None = None

    def start(self) -> Future[str]:
        with self.lock:
            if self.pending is None or self.pending.done():
                self.pending = Future()
                threading.Thread(target=self._run, args=(self.pending,), daemon=True).start()
            return self.pending

    def _run(self, future: Future[str]) -> None:
        future.set_result(self.check())


_database_probe = _Probe(_database_status)
_redis_probe = _Probe(_redis_status)


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """Report whether the database (and Redis, when configured) answer, within 2 seconds."""
    deadline = time.monotonic() + HEALTH_DEADLINE_SECONDS
    pending = {"database": _database_probe.start(), "redis": _redis_probe.start()}
    checks: dict[str, str] = {}
    for name, future in pending.items():
        try:
            checks[name] = future.result(timeout=max(0.0, deadline - time.monotonic()))
        except TimeoutError:
            checks[name] = "error: no answer in time"
    healthy = all(value in {"ok", "not configured"} for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unhealthy", **checks}, status=200 if healthy else 503
    )
