"""Errors to Sentry, when ``SENTRY_DSN`` is set (settings.py calls ``init_sentry``).

Off by default. Events carry no personal data (``send_default_pii=False``: no user names,
e-mail addresses, cookies or client addresses) and no request bodies; the request id
(core.observability) goes as a tag, so an event leads to the log lines of its request.
"""

from __future__ import annotations

from typing import Any

import sentry_sdk
from sentry_sdk.integrations.celery import CeleryIntegration
from sentry_sdk.integrations.django import DjangoIntegration
from sentry_sdk.integrations.logging import LoggingIntegration

from core.observability import current_request_id


def _tag_request_id(event: Any, hint: Any) -> Any:
    request_id = current_request_id()
    if request_id:
        event.setdefault("tags", {})["request_id"] = request_id
    return event


def sentry_options(*, dsn: str, environment: str, traces_sample_rate: float) -> dict[str, Any]:
    return {
        "dsn": dsn,
        "environment": environment,
        "integrations": [DjangoIntegration(), CeleryIntegration(), LoggingIntegration()],
        "send_default_pii": False,
        "max_request_body_size": "never",
        "traces_sample_rate": traces_sample_rate,
        "before_send": _tag_request_id,
    }


def init_sentry(*, dsn: str, environment: str, traces_sample_rate: float = 0.0) -> bool:
    """Start the Sentry client if a DSN is given; False (and nothing started) without one."""
    if not dsn:
        return False
    sentry_sdk.init(**sentry_options(dsn=dsn, environment=environment, traces_sample_rate=traces_sample_rate))
    return True
