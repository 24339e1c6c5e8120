"""Liveness and readiness probe for load balancers and orchestrators."""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


def _database_state() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means "down"
        return f"error: {exc.__class__.__name__}"
    return "ok"


def _redis_state() -> str:
    if not settings.REDIS_URL:
        return "not configured"
    import redis

    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2)
        client.ping()
    except Exception as exc:  # connection refused, timeout, auth…
        return f"error: {exc.__class__.__name__}"
    return "ok"


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database and Redis answer, 503 otherwise (for monitoring).

    ``?scope=instance`` is the load balancer's question: can this instance serve pages? Only the
    database decides it. Without Redis the app still serves and saves (background work waits
    in the outbox until Redis is back), so taking every instance out of the balancer because
    the shared Redis is away would turn a partial outage into a whole one: the answer is then
    200 with ``"status": "degraded"``."""
    checks = {"database": _database_state(), "redis": _redis_state()}
    healthy = all(state in {"ok", "not configured"} for state in checks.values())
    if request.GET.get("scope") == "instance":
        serving = checks["database"] == "ok"
        status = "ok" if healthy else "degraded" if serving else "error"
        return JsonResponse({"status": status, **checks}, status=200 if serving else 503)
    return JsonResponse({"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503)
