"""Operational endpoints."""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe


def _database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:
        return f"error: {type(error).__name__}"
    return "ok"


def _redis_status() -> str:
    if not settings.REDIS_URL:
        return "not configured"
    import redis  # noqa: PLC0415 - only needed when Redis is configured

    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2).ping()
    except redis.RedisError as error:
        return f"error: {type(error).__name__}"
    return "ok"


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """Report whether the database (and Redis, when configured) answer."""
    checks = {"database": _database_status(), "redis": _redis_status()}
    healthy = all(value in {"ok", "not configured"} for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unhealthy", **checks}, status=200 if healthy else 503
    )
