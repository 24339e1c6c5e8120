"""Small display helpers for evidence pages."""

from __future__ import annotations

from django import template

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
