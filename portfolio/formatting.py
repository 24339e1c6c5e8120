"""Dates as the product writes them for people in the UK: "5 January 2026", "5 Jan 2026, 09:30"
(local time), for pages, chart descriptions and the PDF alike."""

from __future__ import annotations

from datetime import date, datetime

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
