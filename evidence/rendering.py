"""Learners' Markdown turned into HTML that is safe to show to anyone.

Python-Markdown passes raw HTML through, so its output is never trusted: nh3 (the
Python binding of the Rust sanitiser ammonia) keeps only an allowlist of tags and
attributes and only http, https and mailto links. nh3 is maintained and fast, where
bleach, the usual alternative, is deprecated. Headings start at level 3 so a
reflection's "# Heading" sits under the page's own h1 and h2; a page that shows the
reflection under deeper headings asks for a deeper first level.
"""

from __future__ import annotations

import markdown
import nh3
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "b", "i", "code", "pre", "blockquote", "ul", "ol", "li",
    "h3", "h4", "h5", "h6", "a", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"scope"}}


def render_markdown(text: str, *, heading_level: int = 3) -> SafeString:
    html = markdown.markdown(
        text or "",
        extensions=["sane_lists", "tables", "toc"],
        extension_configs={"toc": {"baselevel": heading_level}},
        output_format="html",
    )
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
    return mark_safe(cleaned)  # noqa: S308 - sanitised by nh3 just above
