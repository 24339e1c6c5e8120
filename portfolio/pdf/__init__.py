"""The portfolio as a PDF: the interface the export flow calls.

This is the minimal stand-in the export flow (``portfolio/exports.py``) is built against:
a one-page document naming the learner and the version, so the flow runs end to end. The
full document (cover, contents, chapters, charts, evidence index) replaces this module;
its interface stays ``RenderedPdf`` and ``render_portfolio_pdf``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from html import escape

from weasyprint import HTML
from weasyprint.urls import URLFetcher

from portfolio.models import Portfolio, PortfolioVersion

ProgressFn = Callable[[int, str], None]


@dataclass(frozen=True)
class RenderedPdf:
    content: bytes
    page_count: int
    missing_charts: tuple[str, ...]


class _NoFetching(URLFetcher):
    """The stand-in document refers to nothing, so every fetch is refused."""

    def fetch(self, url: str, headers: dict | None = None) -> None:
        raise ValueError(f"Fetching is not allowed: {url[:40]}")


def render_portfolio_pdf(
    *, portfolio: Portfolio, version: PortfolioVersion | None, progress: ProgressFn | None = None
) -> RenderedPdf:
    """Render the portfolio (``version=None``: the working copy) as a PDF."""
    report = progress or (lambda percent, stage: None)
    report(10, "Gathering the portfolio")
    label = f"Version {version.number}" if version is not None else "Working copy"
    page = (
        "<!doctype html><html lang='en-GB'><head><meta charset='utf-8'>"
        f"<title>Portfolio of {escape(portfolio.learner.display_name)}</title></head><body>"
        f"<h1>Portfolio of {escape(portfolio.learner.display_name)}</h1>"
        f"<p>{escape(portfolio.cohort.name)} · {escape(label)}</p></body></html>"
    )
    report(50, "Laying out the pages")
    document = HTML(string=page, url_fetcher=_NoFetching()).render()
    report(90, "Writing the PDF")
    content = document.write_pdf()
    return RenderedPdf(content=content, page_count=len(document.pages), missing_charts=())
