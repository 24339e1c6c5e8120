"""Errors to Sentry, when ``SENTRY_DSN`` is set (settings.py calls ``init_sentry``).

Off by default. Events carry no personal data and no request bodies. ``data_collection`` says
so: it replaces ``send_default_pii`` in this SDK (2.75, where passing ``send_default_pii`` at all
is deprecated), and asks for less than ``send_default_pii=False`` did: no user, no cookies, no
bodies, no forwarded or client addresses, no task arguments, no SQL parameters, and no local
variables of the failing frames (they may hold a learner's text or an e-mail address). The
request id (core.observability) goes as a tag, so an event leads to the log lines of its request.
"""

from __future__ import annotations

from typing import Any

import sentry_sdk
from sentry_sdk.integrations.celery import CeleryIntegration
from sentry_sdk.integrations.django import DjangoIntegration
from sentry_sdk.integrations.logging import LoggingIntegration

from core.observability import current_request_id

# Header and query names left out (as send_default_pii=False leaves them out; the SDK's own
# list of sensitive names, authorization, cookie, token, password…, is left out as well).
_ADDRESS_TERMS = ["forwarded", "-ip", "remote-", "via", "-user"]
DATA_COLLECTION: dict[str, Any] = {
    "user_info": False,
    "cookies": {"mode": "off"},
    "http_headers": {"request": {"mode": "denylist", "terms": _ADDRESS_TERMS}},
    "http_bodies": [],
    "url_query_params": {"mode": "denylist", "terms": _ADDRESS_TERMS},
    "graphql": {"document": False, "variables": False},
    "gen_ai": {"inputs": False, "outputs": False},
    "database_query_data": False,
    "queues": False,
    "stack_frame_variables": False,
}


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
        "data_collection": DATA_COLLECTION,
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
