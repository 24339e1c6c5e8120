"""``{{ change|signed_change:unit }}``: a change with its sign and unit, as the PDF writes it."""

from __future__ import annotations

from django import template

from core.formatting import signed_change as _signed_change

register = template.Library()


@register.filter
def signed_change(value: float | None, unit: str = "") -> str:
    return _signed_change(value, unit)
