"""Helpers for the PDF tests: render a portfolio and read the PDF back with pypdf."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

from pypdf import PdfReader

from portfolio.pdf import RenderedPdf, render_portfolio_pdf


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


def read(content: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(content))
    text = " ".join(page.extract_text() or "" for page in reader.pages)
    return reader, re.sub(r"\s+", " ", text)


def render(portfolio, version=None, **kwargs) -> ReadPdf:
    rendered = render_portfolio_pdf(portfolio=portfolio, version=version, **kwargs)
    reader, text = read(rendered.content)
    return ReadPdf(rendered=rendered, reader=reader, text=text)
