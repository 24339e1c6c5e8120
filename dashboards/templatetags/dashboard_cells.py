"""``{% heat_cells row %}`` and ``{% step_cells row %}``: a dashboard row's cells as HTML.

A page of 50 learners has 2,250 heat-map cells; through the template engine, with four
lookups each, they took longer than the rest of the page. A cell's markup depends only on
its criterion and state, so each distinct cell is built once (escaped by ``format_html``)
and rows are joined from those pieces. The markup is what the template wrote before: the
state as a symbol, in words for screen readers and as a background colour.
"""

from __future__ import annotations

from functools import lru_cache

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from dashboards import figures as dashboards
from dashboards.selectors import LearnerRow

register = template.Library()

STEP_CELLS = {
    "complete": format_html('<td class="{}">{}</td>', "bg-success-subtle", "✓ Complete"),
    "in progress": format_html('<td class="{}">{}</td>', "bg-warning-subtle", "◐ In progress"),
    "empty": format_html('<td><span class="{}">{}</span></td>', "text-body-secondary", "· Empty"),
}


@lru_cache(maxsize=4096)
def heat_cell(code: str, state: str) -> SafeString:
    label = dashboards.CELL_LABELS[state]
    return format_html(
        '<td class="{}" title="{}: {}"><span aria-hidden="true">{}</span>'
        '<span class="visually-hidden">{}</span></td>',
        dashboards.CELL_CLASSES[state],
        code,
        label,
        dashboards.CELL_SYMBOLS[state],
        label,
    )


@register.simple_tag
def heat_cells(row: LearnerRow) -> SafeString:
    """One ``<td>`` per criterion of the row, in the order of the heat map's columns."""
    # Every piece was escaped by format_html; joining them adds no text of its own.
    return mark_safe("".join(heat_cell(c.code, s) for c, s in zip(row.criteria, row.states, strict=True)))  # noqa: S308


@register.simple_tag
def step_cells(row: LearnerRow) -> SafeString:
    """One ``<td>`` per guided step of the row, in the order of ``all_sections()``."""
    return mark_safe("".join(STEP_CELLS[state] for state in row.step_states))  # noqa: S308
