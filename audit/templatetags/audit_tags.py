from __future__ import annotations

import math

from django import template
from django.utils.html import format_html

from core.formatting import signed_change

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
def kpi_change(value, unit: str = "") -> str:
    """A change with its unit, abbreviated for a table cell with the full unit for screen
    readers and on hover: "+11.6 pts" for a rate is 11.6 percentage points, never 11.6 %."""
    if value is None or value == "":
        return "—"
    short, full = signed_change(value, unit, short=True), signed_change(value, unit)
    if short == full or " " not in short:
        return short
    figure, abbreviation = short.rsplit(" ", 1)
    return format_html(
        '{} <abbr title="{}">{}</abbr>', figure, full.removeprefix(figure).strip(), abbreviation
    )


@register.filter
def percent_label(point) -> str:
    return f"P{round(float(point) * 100)}"
