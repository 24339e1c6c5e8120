"""Helpers for the PDF tests: render a portfolio and read the PDF back with pypdf."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

from pypdf import PdfReader

from reports.pdf import RenderedPdf, render_portfolio_pdf


@dataclass
class ReadPdf:
    rendered: RenderedPdf
    reader: PdfReader
    text: str  # every page's text, whitespace collapsed, so wrapped lines read as one

    def outline_titles(self) -> list[str]:
        titles: list[str] = []

        def walk(items) -> None:
            for item in items:
                if isinstance(item, list):
                    walk(item)
                else:
                    titles.append(item.title)

        walk(self.reader.outline)
        return titles

    def structure(self) -> list[tuple[str, object]]:
        """The tagged structure, depth first: (role, alternative text or None) per element."""
        elements: list[tuple[str, object]] = []

        def walk(node) -> None:
            node = node.get_object()
            if not hasattr(node, "get"):
                return  # a marked-content number: the page's content, not an element
            if "/S" in node:
                elements.append((str(node["/S"]).lstrip("/"), node.get("/Alt")))
            kids = node.get("/K")
            for kid in kids if isinstance(kids, list) else [kids] if kids is not None else []:
                walk(kid)

        root = self.reader.trailer["/Root"].get("/StructTreeRoot")
        if root is not None:
            walk(root)
        return elements


def read(content: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(content))
    text = " ".join(page.extract_text() or "" for page in reader.pages)
    return reader, re.sub(r"\s+", " ", text)


def render(portfolio, version=None, **kwargs) -> ReadPdf:
    rendered = render_portfolio_pdf(portfolio=portfolio, version=version, **kwargs)
    reader, text = read(rendered.content)
    return ReadPdf(rendered=rendered, reader=reader, text=text)
