"""Request ids and structured logs (docs/deployment.md, "Logs and metrics").

Every request gets an id, returned in the ``X-Request-ID`` response header and written in every
log record of the request by ``RequestIdFilter``. The id travels with the Celery tasks the
request queues, in a message header (``before_task_publish``; the outbox keeps it on its row
for a later hand-over), and a task's run takes it back (``task_prerun``), so every log line of
the work a request caused carries the same id, on whichever machine it ran. A task run
in-process (eager) shares the request's context and so its id.

This module imports no model: the logging configuration loads it before the apps are ready.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter as _JsonFormatter

HEADER = "X-Request-ID"
CELERY_HEADER = "request_id"
# What a proxy's id may look like: nginx's $request_id (32 hex digits), a UUID, or similar.
# Anything else (too long, too short, spaces, quotes, line breaks) is replaced by our own id.
_VALID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{7,63}")

_request_id: ContextVar[str] = ContextVar("request_id", default="")
_task_id: ContextVar[str] = ContextVar("task_id", default="")


def new_request_id() -> str:
    return uuid.uuid4().hex


def valid_request_id(value: object) -> str | None:
    """``value`` if it is an id we can put in a log line and a header as it is, else None."""
    if isinstance(value, str) and _VALID.fullmatch(value):
        return value
    return None


def current_request_id() -> str:
    """The id of the request (or of the request that queued the task) being served; "" if none."""
    return _request_id.get()


@contextmanager
def bound_request_id(request_id: str) -> Iterator[None]:
    """Log (and queue tasks) under ``request_id`` inside the block; "" leaves the current id."""
    if not request_id:
        yield
        return
    token = _request_id.set(request_id)
    try:
        yield
    finally:
        _request_id.reset(token)


# --- The web side ------------------------------------------------------------------------------


def incoming_request_id(request: HttpRequest) -> str | None:
    """The proxy's id, trusted only when proxies are declared (``TRUSTED_PROXY_COUNT``): without
    one in front, anyone could write what they like into our logs under the header's name."""
    if not settings.TRUSTED_PROXY_COUNT:
        return None
    return valid_request_id(request.headers.get(HEADER))


class RequestIdMiddleware:
    """First in the chain, so every log line of the request, and its response, carry the id."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = incoming_request_id(request) or new_request_id()
        request.request_id = request_id  # type: ignore[attr-defined]
        token = _request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            _request_id.reset(token)
        response[HEADER] = request_id
        return response


# --- The task side (connected in config/celery.py) ---------------------------------------------


def add_request_id_to_message(headers: dict[str, Any] | None) -> None:
    """``before_task_publish``: a task queued while serving a request carries the request's id."""
    request_id = current_request_id()
    if headers is not None and request_id:
        headers.setdefault(CELERY_HEADER, request_id)


# The tokens to undo each running task's context with, by its request (Celery's ``Context``).
# Not kept on the request itself: Celery copies the request's attributes into the message of a
# retry, and a token cannot go in a message.
_task_tokens: dict[int, list[Token[str]]] = {}


def start_task_context(task: Any, task_id: str) -> None:
    """``task_prerun``: log the run under the id of the request that queued it.

    In-process (eager) the run shares the caller's context, which already holds the id; on a
    worker the id comes with the message. Celery sends ``task_postrun`` before it pops the
    request, so nested eager runs unwind in order.
    """
    request = task.request
    tokens: list[Token[str]] = [_task_id.set(task_id or "")]
    if not request.is_eager:
        tokens.append(_request_id.set(valid_request_id(getattr(request, CELERY_HEADER, None)) or ""))
    _task_tokens[id(request)] = tokens


def end_task_context(task: Any) -> None:
    """``task_postrun``: back to the context the worker (or the eager caller) had before."""
    for token in reversed(_task_tokens.pop(id(task.request), [])):
        token.var.reset(token)


# --- Logging -------------------------------------------------------------------------------------


class RequestIdFilter(logging.Filter):
    """Put ``request_id`` and ``task_id`` ("-" when none) on every record a handler writes."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _request_id.get() or "-"
        record.task_id = _task_id.get() or "-"
        return True


def log_to_file(path: str) -> None:
    """Write what the console handler wrote to the file at ``path`` instead (a Celery worker or
    beat started with ``--logfile``, as ``scripts/cluster`` starts them), same format and ids."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if not any(isinstance(f, RequestIdFilter) for f in handler.filters):
            continue
        to_file = logging.FileHandler(path, encoding="utf-8")
        to_file.setFormatter(handler.formatter)
        to_file.setLevel(handler.level)
        for log_filter in handler.filters:
            to_file.addFilter(log_filter)
        root.removeHandler(handler)
        root.addHandler(to_file)


# The keys of a JSON log line, in this order; the record's ``extra`` fields follow them.
JSON_FIELDS = ("timestamp", "level", "logger", "message", "request_id", "task_id")
PLAIN_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"


# Celery's own lines ("Task … received", "… succeeded") carry the task's arguments and result as
# the extra ``data``: the plain format never printed them, and an argument can be personal data
# (the password-reset task takes an e-mail address), so JSON lines leave them out too.
_LEFT_OUT = ("data",)


class JsonFormatter(_JsonFormatter):
    """One JSON object a line: time (UTC, ISO 8601), level, logger, message, request and task
    ids, then whatever the record was given as ``extra`` (but ``data``); a traceback as ``exc_info``."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("fmt", ["levelname", "name", "message", "request_id", "task_id"])
        kwargs.setdefault("rename_fields", {"levelname": "level", "name": "logger"})
        kwargs.setdefault("timestamp", True)
        kwargs.setdefault("reserved_attrs", [*RESERVED_ATTRS, *_LEFT_OUT])
        super().__init__(**kwargs)
