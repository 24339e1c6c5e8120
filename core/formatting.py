"""How the product writes dates, waits and changes for people in the UK: "5 January 2026",
"5 Jan 2026, 09:30" (local time), "15 minutes", "+11.6 percentage points", for pages, chart
descriptions and the PDF alike."""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta

from django.utils import dateformat, timezone
from django.utils.translation import ngettext


def uk_date(value: date | datetime | str | None) -> str:
    if value in (None, ""):
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return dateformat.format(value, "j F Y")
    return dateformat.format(value, "j F Y")


def uk_datetime_short(value: datetime) -> str:
    """ "4 Sep 2026 14:05", in local (UK) time: a date-time in a table cell."""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return dateformat.format(value, "j M Y H:i")


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


_UNITS = {
    "second": lambda n: ngettext("%(count)d second", "%(count)d seconds", n),
    "minute": lambda n: ngettext("%(count)d minute", "%(count)d minutes", n),
    "hour": lambda n: ngettext("%(count)d hour", "%(count)d hours", n),
}


def _plural(count: int, unit: str) -> str:
    return _UNITS[unit](count) % {"count": count}


# A change in a rate is a difference of percentages: 85.1 % → 96.7 % is 11.6 percentage points
# (a relative change of 13.6 %), so it is never written with a bare "%".
_CHANGE_UNITS: dict[str, tuple[str, str, str]] = {
    "%": ("percentage point", "percentage points", "pts"),
    "score": ("point", "points", "pts"),
    "minutes": ("minute", "minutes", "min"),
    "hours": ("hour", "hours", "h"),
    # A count's change needs no unit in a narrow cell: the row says what is counted.
    "contacts": ("contact", "contacts", ""),
}


def signed_change(value: float | int | None, unit: str = "", *, short: bool = False) -> str:
    """A change with its sign and unit: "+11.6 percentage points", "−205 minutes", "+£0.40";
    ``short`` for a narrow table cell ("+11.6 pts"). An em dash when there is no change to show."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    number = round(float(value), 2 if unit == "£" else 1)
    if number == 0:
        return "no change"
    sign = "+" if number > 0 else "−"
    size = abs(number)
    if unit == "£":
        return f"{sign}£{size:,.2f}"
    figure = f"{int(size):,}" if size.is_integer() else f"{size:,.1f}"
    if unit in _CHANGE_UNITS:
        one, many, abbreviation = _CHANGE_UNITS[unit]
        unit = abbreviation if short else (one if size == 1 else many)
    return f"{sign}{figure} {unit}".rstrip()
