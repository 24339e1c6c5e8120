"""Metrics for Prometheus at ``/metrics`` (docs/deployment.md, "Logs and metrics").

- ``portfolio_request_duration_seconds{view,method,status}``: every response, by the name of
  the view that served it (never its path, which holds ids), measured by ``RequestLatencyMiddleware``.
- ``portfolio_task_duration_seconds{task,outcome}`` and, for the PDF exports,
  ``portfolio_export_duration_seconds{outcome}`` and ``portfolio_export_runs_total{outcome}``:
  recorded by the process that ran the task (``task_prerun``/``task_postrun``, config/celery.py).
- Read from the database and Redis when scraped, so the same on every web instance:
  ``portfolio_outbox_messages{state}``, ``portfolio_exports{status}`` and
  ``portfolio_queue_length{queue}`` (Redis only).

The endpoint is closed unless ``METRICS_TOKEN`` (a bearer token) or ``METRICS_ALLOWED_ADDRESSES``
is set; with both, a scrape needs both. With ``PROMETHEUS_MULTIPROC_DIR`` set (gunicorn with
several workers, and Celery workers on the same machine) every process writes its samples to that
folder and a scrape adds them up (prometheus_client's multiprocess mode).
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import os
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import redis
from celery import current_app
from django.conf import settings
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from core.models import Export, OutboxMessage

log = logging.getLogger(__name__)

EXPORT_TASK = "reports.tasks.render_export"

REQUEST_DURATION = Histogram(
    "portfolio_request_duration_seconds",
    "Time to answer a request, by the view that answered it.",
    ["view", "method", "status"],
    buckets=(0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
TASK_DURATION = Histogram(
    "portfolio_task_duration_seconds",
    "Time a background task ran, by task and outcome (success, failure, retry).",
    ["task", "outcome"],
    buckets=(0.05, 0.25, 1, 5, 15, 60, 120, 300, 600),
)
EXPORT_DURATION = Histogram(
    "portfolio_export_duration_seconds",
    "Time one run of the PDF export task took, by its outcome (done, failed, skipped, retry, error).",
    ["outcome"],
    buckets=(1, 2.5, 5, 10, 20, 40, 60, 120, 240, 300),
)
EXPORT_RUNS = Counter(
    "portfolio_export_runs",
    "Runs of the PDF export task, by outcome (failed: the job was marked failed; error: the run raised).",
    ["outcome"],
)


# --- Requests ------------------------------------------------------------------------------------


def _view_label(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "<unresolved>"  # a 404 before any view, a redirect by the middleware
    return match.view_name or match._func_path


class RequestLatencyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        REQUEST_DURATION.labels(
            view=_view_label(request),
            # Any other method (a made-up one) would make a new series each: bounded here.
            method=request.method if request.method in _METHODS else "other",
            status=f"{response.status_code // 100}xx",
        ).observe(time.perf_counter() - started)
        return response


_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}


# --- Tasks (connected in config/celery.py) -------------------------------------------------------


# When each running task started, by its request (not kept on the request, whose attributes
# Celery copies into the message of a retry).
_started: dict[int, float] = {}
# In-process (eager) a retry runs inside the run that failed, under the same task id; that outer
# run then returns the retry's result, but counts as a "retry", or each export would count twice.
_eager_outer: dict[str, int] = {}
_handed_on: set[int] = set()


def task_started(task: Any) -> None:
    request = task.request
    _started[id(request)] = time.perf_counter()
    if request.is_eager and request.id:
        outer = _eager_outer.setdefault(request.id, id(request))
        if outer != id(request):
            _handed_on.add(outer)


def task_finished(task: Any, *, state: str | None, retval: Any) -> None:
    request = task.request
    started = _started.pop(id(request), None)
    if _eager_outer.get(request.id or "") == id(request):
        del _eager_outer[request.id]
    if started is None:
        return
    elapsed = time.perf_counter() - started
    outcome = "retry" if id(request) in _handed_on else (state or "unknown").lower()
    _handed_on.discard(id(request))
    TASK_DURATION.labels(task=task.name, outcome=outcome).observe(elapsed)
    if task.name == EXPORT_TASK:
        # The task returns the job's status ("done", "failed") or "skipped"; a run that raised
        # (a time limit, a bug) is an "error", one handed back for another attempt a "retry".
        if outcome == "success":
            export_outcome = retval if retval in {"done", "failed", "skipped"} else "other"
        else:
            export_outcome = "retry" if outcome == "retry" else "error"
        EXPORT_DURATION.labels(outcome=export_outcome).observe(elapsed)
        EXPORT_RUNS.labels(outcome=export_outcome).inc()


# --- Read when scraped ------------------------------------------------------------------------


class StateCollector(Collector):
    """The outbox, the exports and the Celery queue as they stand at the scrape."""

    def collect(self) -> Iterator[Metric]:
        yield self._outbox()
        yield self._exports()
        queue = self._queue()
        if queue is not None:
            yield queue

    def _outbox(self) -> Metric:
        family = GaugeMetricFamily(
            "portfolio_outbox_messages",
            "Outbox messages: pending (not yet run to the end) and given up.",
            labels=["state"],
        )
        pending = OutboxMessage.objects.filter(done_at__isnull=True, gave_up_at__isnull=True).count()
        given_up = OutboxMessage.objects.filter(gave_up_at__isnull=False).count()
        family.add_metric(["pending"], pending)
        family.add_metric(["given_up"], given_up)
        return family

    def _exports(self) -> Metric:
        family = GaugeMetricFamily("portfolio_exports", "PDF export jobs by status.", labels=["status"])
        counts = dict(
            Export.objects.order_by().values("status").annotate(n=Count("pk")).values_list("status", "n")
        )
        for status in Export.Status.values:
            family.add_metric([status], counts.get(status, 0))
        return family

    def _queue(self) -> Metric | None:
        if not settings.REDIS_URL:
            return None
        name = current_app.conf.task_default_queue
        family = GaugeMetricFamily(
            "portfolio_queue_length", "Tasks waiting in the Celery queue in Redis.", labels=["queue"]
        )
        # Short timeouts: a Redis that is down makes the scrape miss this series, not hang.
        try:
            client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
            try:
                family.add_metric([name], client.llen(name))
            finally:
                client.close()
        except redis.RedisError as exc:
            log.warning("metrics: could not read the length of queue %s (%s)", name, exc)
            return None
        return family


def registry() -> CollectorRegistry:
    """What a scrape shows: this process's samples, or every process's in multiprocess mode."""
    scraped = CollectorRegistry(auto_describe=True)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        MultiProcessCollector(scraped)
    else:
        for collector in (REQUEST_DURATION, TASK_DURATION, EXPORT_DURATION, EXPORT_RUNS):
            scraped.register(collector)
    scraped.register(StateCollector())
    return scraped


# --- The endpoint --------------------------------------------------------------------------------


def _client_ip(request: HttpRequest) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address as the nearest trusted proxy saw it (as core.throttling), not reduced to /64."""
    address = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= proxies:
            address = forwarded[-proxies]
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return None
    if isinstance(parsed, ipaddress.IPv6Address) and parsed.ipv4_mapped is not None:
        return parsed.ipv4_mapped
    return parsed


def _allowed_networks(entries: Iterable[str]) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(entry, strict=False) for entry in entries]


def _address_allowed(request: HttpRequest) -> bool:
    client = _client_ip(request)
    return client is not None and any(
        client in network for network in _allowed_networks(settings.METRICS_ALLOWED_ADDRESSES)
    )


def _token_matches(request: HttpRequest) -> bool:
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(
        given.strip().encode(), settings.METRICS_TOKEN.encode()
    )


@require_GET
@never_cache
def metrics(request: HttpRequest) -> HttpResponse:
    """404 while closed or to an address not allowed; 403 to an allowed one without the token."""
    if not settings.METRICS_TOKEN and not settings.METRICS_ALLOWED_ADDRESSES:
        raise Http404
    if settings.METRICS_ALLOWED_ADDRESSES and not _address_allowed(request):
        raise Http404
    if settings.METRICS_TOKEN and not _token_matches(request):
        return HttpResponse("A bearer token is needed.\n", status=403, content_type="text/plain")
    return HttpResponse(generate_latest(registry()), content_type=CONTENT_TYPE_LATEST)
