"""No page shows template source: a ``{# … #}`` comment that runs over two lines, or a tag
or variable broken across lines, is printed as text by Django's template engine.

Two checks: every template file, tokenised as the engine reads it, has no template syntax in its
text; and every page of every role in the demo (the pages the accessibility scan visits, with
the fragments htmx loads into them) comes back without any.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.template import engines
from django.template.base import Lexer, TokenType

from tests.demo_pages import demo_urls
from tests.e2e.test_accessibility import ANONYMOUS, PAGES

SOURCE_MARKERS = ("{#", "#}", "{%", "%}", "{{", "}}")
TEMPLATE_SUFFIXES = {".html", ".txt", ".xml", ".svg"}
# A fragment the page asks htmx to load as soon as it is shown.
VOID_ELEMENTS = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}
LOADED_FRAGMENT = re.compile(r'hx-get="([^"]+)"[^>]*hx-trigger="load')


def _template_files() -> list[Path]:
    engine = engines["django"].engine
    roots = [Path(folder) for folder in engine.dirs]
    roots += [
        Path(settings.BASE_DIR) / app / "templates" for app in ("portfolio", "evidence", "audit", "strategy")
    ]
    return sorted(
        path
        for root in roots
        if root.is_dir()
        for path in root.rglob("*")
        if path.suffix in TEMPLATE_SUFFIXES
    )


def _source_in_text(template: str) -> list[str]:
    found, verbatim = [], False
    for token in Lexer(template).tokenize():
        if token.token_type == TokenType.BLOCK:
            verbatim = token.contents.startswith("verbatim") or (
                verbatim and not token.contents.startswith("endverbatim")
            )
        elif token.token_type == TokenType.TEXT and not verbatim:
            found += [marker for marker in SOURCE_MARKERS if marker in token.contents]
    return found


def test_the_check_finds_a_comment_over_two_lines():
    assert _source_in_text("<p>a</p>\n{# one line,\n   and a second #}\n") == ["{#", "#}"]
    assert _source_in_text("{# one line #}{% comment %}\n two \n{% endcomment %}{{ x }}") == []


def test_no_template_prints_its_own_source():
    files = _template_files()
    assert len(files) > 50, "the templates were not found"

    leaks = {
        str(path): found for path in files if (found := _source_in_text(path.read_text(encoding="utf-8")))
    }

    assert leaks == {}


class _Text(HTMLParser):
    """The text a person reads: outside scripts, styles and a chart's figure (JSON held as the
    text of a hidden element named by ``data-plotly-figure``), where braces are data."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._figures: set[str] = set()
        self._open: list[bool] = []  # for each open element: is its text data, not prose?

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        if named.get("data-plotly-figure"):
            self._figures.add(named["data-plotly-figure"] or "")
        if tag not in VOID_ELEMENTS:
            self._open.append(tag in {"script", "style"} or named.get("id") in self._figures)

    def handle_endtag(self, tag: str) -> None:
        if tag not in VOID_ELEMENTS and self._open:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        if not any(self._open):
            self.parts.append(data)


def _leaks(html: str) -> list[str]:
    reader = _Text()
    reader.feed(html)
    text = " ".join(reader.parts)
    return [marker for marker in SOURCE_MARKERS if marker in text]


def test_the_page_check_reads_text_and_not_scripts():
    assert _leaks('<p>{# a note #}</p><script type="application/json">{"a": {"b": 1}}</script>') == [
        "{#",
        "#}",
    ]


def every_page(client, django_user_model, urls: dict[str, str]) -> Iterator[tuple[str, HttpResponse]]:
    """Every page of every role in the demo (the accessibility scan's), each followed by the
    fragments htmx loads into it: (who asked and where, the response)."""
    people = {
        user.username: user for user in django_user_model.objects.filter(username__in=[p[1] for p in PAGES])
    }
    for _test_id, role, name, _action in PAGES:
        client.logout()
        if role != ANONYMOUS:
            client.force_login(people[role])
        response = client.get(urls[name])
        yield f"{role or 'anonymous'} {urls[name]}", response
        if response.status_code == 200 and "html" in response.get("Content-Type", ""):
            html = response.content.decode()
            for url in LOADED_FRAGMENT.findall(html):
                fragment = client.get(url.replace("&amp;", "&"), headers={"HX-Request": "true"})
                yield f"{role or 'anonymous'} {url}", fragment


@pytest.mark.django_db
def test_no_page_of_any_role_shows_template_source(client, django_user_model):
    urls = demo_urls()
    leaks: dict[str, list[str]] = {}
    visited = 0
    for label, page in every_page(client, django_user_model, urls):
        visited += 1
        if "html" in page.get("Content-Type", "") and (found := _leaks(page.content.decode())):
            leaks[label] = found

    assert visited >= len(PAGES)
    assert leaks == {}
