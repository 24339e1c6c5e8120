from __future__ import annotations

import math

from django import template

register = template.Library()


@register.filter
def kpi_value(value) -> str:
    """A KPI figure the British way; an em dash when there is nothing to measure."""
    if value is None or value == "" or (isinstance(value, float) and math.isnan(value)):
        return "—"
    number = float(value)
    if number.is_integer():
        return f"{int(number):,}"
    return f"{number:,.1f}"


@register.filter
def kpi_change(value) -> str:
    if value is None or value == "":
        return "—"
    text = kpi_value(abs(value))
    return f"+{text}" if value > 0 else (f"−{text}" if value < 0 else "0")


@register.filter
def percent_label(point) -> str:
    return f"P{round(float(point) * 100)}"
