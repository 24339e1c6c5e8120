"""``{% page_links page as links %}``: the page numbers a pager shows, elided.

A cohort of 5,000 learners has 100 pages of 50; listing every number wraps the pager over
several lines. Django's ``Paginator.get_elided_page_range`` keeps the first and last page and
two either side of the current one, with an ellipsis (``Paginator.ELLIPSIS``) for each gap.
"""

from __future__ import annotations

from collections.abc import Iterator

from django import template
from django.core.paginator import Page

register = template.Library()


@register.simple_tag
def page_links(page: Page) -> list[int | str]:
    """Page numbers, and ``page.paginator.ELLIPSIS`` for each run of pages left out."""
    numbers: Iterator[int | str] = page.paginator.get_elided_page_range(
        page.number, on_each_side=2, on_ends=1
    )
    return list(numbers)
