"""Small display helpers for evidence pages."""

from __future__ import annotations

from datetime import date, datetime

from django import template

from core.formatting import uk_date, uk_datetime

register = template.Library()

# Glyphs every system font has (emoji fonts are often missing on servers and in PDFs).
KIND_ICONS = {
    "file": "▣",
    "reflection": "✎",
    "link": "↗",
    "transcript": "❝",
    "section": "▤",
    "witness": "✍",
    "observation": "◉",
    "discussion": "◎",
    "questioning": "?",
}
STATUS_ICONS = {"none": "✗", "claimed": "◐", "evidenced": "✓"}


@register.filter
def kind_icon(kind: str) -> str:
    return KIND_ICONS.get(kind, "•")


@register.filter
def status_icon(status: str) -> str:
    return STATUS_ICONS.get(status, "")


@register.filter
def get_item(mapping: dict, key: object) -> object:
    return mapping.get(key) if mapping else None


@register.filter
def frozen_date(value: date | datetime | str | None) -> str:
    """A date a version's snapshot keeps (ISO text once stored), as "7 December 2026"."""
    return uk_date(value)


@register.filter
def frozen_datetime(value: datetime | str | None) -> str:
    """A moment a version's snapshot keeps (ISO text once stored), as "7 Dec 2026, 14:13"."""
    return uk_datetime(value)
