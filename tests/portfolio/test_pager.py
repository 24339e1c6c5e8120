"""The pager under every paged list: first and last page, the pages around the current one,
an ellipsis for each gap, whatever the number of pages."""

from __future__ import annotations

import re

import pytest
from django.core.paginator import Paginator
from django.template.loader import render_to_string
from django.test import RequestFactory


def pager(pages: int, current: int, query: str = "") -> str:
    request = RequestFactory().get(f"/dashboard/?{query}")
    page = Paginator(range(pages * 50), 50).get_page(current)
    context = {"page": page, "label": "Pages"}
    return render_to_string("portfolio/dashboards/_pages.html", context, request=request)


def numbers(html: str) -> list[str]:
    """The pager's items between Previous and Next, as written: page numbers and ellipses."""
    return re.findall(r'class="page-link"[^>]*>(\d+|…)</', html)


@pytest.mark.parametrize(
    ("pages", "current", "shown"),
    [
        (100, 50, ["1", "…", "48", "49", "50", "51", "52", "…", "100"]),
        (100, 1, ["1", "2", "3", "…", "100"]),
        (100, 100, ["1", "…", "98", "99", "100"]),
        (5, 3, ["1", "2", "3", "4", "5"]),
    ],
)
def test_a_long_run_of_pages_is_elided_around_the_current_one(pages, current, shown):
    assert numbers(pager(pages, current)) == shown


def test_links_keep_the_query_and_the_current_page_is_marked_not_linked():
    html = pager(100, 50, "sort=name&status=at-risk")

    assert '<span class="page-link" aria-current="page">50</span>' in html
    assert 'href="?sort=name&amp;status=at-risk&amp;page=100" aria-label="Page 100 of 100"' in html
    assert 'href="?sort=name&amp;status=at-risk&amp;page=49"' in html
    assert 'page=50"' not in html  # no link to the page already shown
    assert html.count('aria-hidden="true">…</span>') == 2  # gaps are not announced as links
    assert 'href="?sort=name&amp;status=at-risk&amp;page=51">Next</a>' in html


def test_a_single_page_has_no_pager():
    assert pager(1, 1).strip() == ""
