"""Reading an edit form out of a page as a browser would submit it (stdlib only)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

SKIPPED_TYPES = {"submit", "button", "file", "reset", "image", "search"}


class _FormReader(HTMLParser):
    """The fields of the first form that carries a version token."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[list[tuple[str, str]]] = []
        self.current: list[tuple[str, str]] | None = None
        self.textarea: str | None = None
        self.text: list[str] = []
        self.select: str | None = None
        self.options: list[tuple[str, bool]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {key: value or "" for key, value in attrs}
        if tag == "form":
            self.current = []
            return
        if self.current is None or "disabled" in attributes:
            return
        name = attributes.get("name", "")
        if tag == "input" and name:
            kind = attributes.get("type", "text").lower()
            if kind in SKIPPED_TYPES or (kind in {"checkbox", "radio"} and "checked" not in attributes):
                return
            self.current.append((name, attributes.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "textarea" and name:
            self.textarea, self.text = name, []
        elif tag == "select" and name:
            self.select, self.options = name, []
        elif tag == "option" and self.select is not None:
            self.options.append((attributes.get("value", ""), "selected" in attributes))

    def handle_data(self, data: str) -> None:
        if self.textarea is not None:
            self.text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea" and self.textarea is not None and self.current is not None:
            # A browser drops the one newline that follows <textarea>.
            value = "".join(self.text)
            self.current.append((self.textarea, value[1:] if value.startswith("\n") else value))
            self.textarea = None
        elif tag == "select" and self.select is not None and self.current is not None:
            chosen = [value for value, selected in self.options if selected]
            if not chosen and self.options:
                chosen = [self.options[0][0]]
            self.current.extend((self.select, value) for value in chosen)
            self.select = None
        elif tag == "form" and self.current is not None:
            self.forms.append(self.current)
            self.current = None


def edit_form(html: str) -> dict[str, str | list[str]]:
    """The submission of the page's edit form (the one with ``version_token``), unchanged."""
    reader = _FormReader()
    reader.feed(html)
    for fields in reader.forms:
        if any(name == "version_token" for name, _ in fields):
            data: dict[str, str | list[str]] = {}
            for name, value in fields:
                if name in data:
                    existing = data[name]
                    data[name] = [*existing, value] if isinstance(existing, list) else [existing, value]
                else:
                    data[name] = value
            return data
    raise AssertionError("No edit form with a version token on this page.")


def textareas(html: str) -> list[str]:
    """Names of the page's enabled text areas, in page order."""
    tags = re.findall(r"<textarea[^>]*>", html)
    return [
        re.search(r'\bname="([^"]+)"', tag).group(1)
        for tag in tags
        if "disabled" not in tag and "name=" in tag
    ]
