"""Dates as the product writes them for people in the UK: "5 January 2026", "5 Jan 2026, 09:30"
(local time), for pages, chart descriptions and the PDF alike; and waits in words."""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta

from django.utils import dateformat, timezone


def uk_date(value: date | datetime | str | None) -> str:
    if value in (None, ""):
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return dateformat.format(value, "j F Y")
    return dateformat.format(value, "j F Y")


def uk_datetime(value: datetime | str | None) -> str:
    if value in (None, ""):
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return dateformat.format(value, "j M Y, H:i")


def describe_wait(value: timedelta) -> str:
    """How long someone must wait, in words, rounded up: "40 seconds", "15 minutes", "1 hour 5 minutes"."""
    seconds = max(1, math.ceil(value.total_seconds()))
    if seconds < 60:
        return _plural(seconds, "second")
    minutes = math.ceil(seconds / 60)
    hours, minutes = divmod(minutes, 60)
    parts = [_plural(hours, "hour")] if hours else []
    if minutes:
        parts.append(_plural(minutes, "minute"))
    return " ".join(parts)


def _plural(count: int, unit: str) -> str:
    return f"{count} {unit}{'' if count == 1 else 's'}"
