"""The portfolio as a PDF document: what the moderator reads without logging in.

``render_portfolio_pdf`` is the one entry point (the export task and the management
command call it): gather the snapshot into chapters, draw the charts as SVG, downscale
the images, lay out the pages with WeasyPrint and write the file. The document depends
only on the portfolio and version, never on who asks for it. See docs/pdf.md.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from portfolio.models import Portfolio, PortfolioVersion
from portfolio.pdf.charts import draw_charts
from portfolio.pdf.document import Document, build_document
from portfolio.pdf.evidence_index import finish_images, start_images
from portfolio.pdf.fetcher import fetcher_for
from portfolio.pdf.render import document_html, layout

log = logging.getLogger(__name__)

Progress = Callable[[int, str], None]


@dataclass(frozen=True)
class RenderedPdf:
    content: bytes
    page_count: int
    missing_charts: tuple[str, ...]  # titles of charts drawn as a note because Chromium was absent


def _prepared(
    *, portfolio: Portfolio, version: PortfolioVersion | None, progress: Progress
) -> tuple[Document, tuple[str, ...]]:
    """The document with its charts drawn and its images downscaled."""
    progress(5, "Gathering the portfolio")
    document = build_document(portfolio=portfolio, version=version)
    progress(20, "Drawing the charts")
    # Images scale in threads (Pillow releases the GIL) while Kaleido's browser draws.
    with ThreadPoolExecutor(
        max_workers=max(2, min(4, os.cpu_count() or 2)), thread_name_prefix="pdf-image"
    ) as pool:
        start_images(document.evidence, document.snapshot, pool)
        charts = document.charts
        for chart, drawn in zip(charts, draw_charts([chart.spec for chart in charts]), strict=True):
            chart.drawn = drawn
        finish_images(document.evidence)
    missing = tuple(chart.spec.title for chart in charts if chart.drawn is None or chart.drawn.missing)
    return document, missing


def render_portfolio_html(*, portfolio: Portfolio, version: PortfolioVersion | None) -> str:
    """The final HTML WeasyPrint lays out (for the benchmark and for inspection)."""
    document, _missing = _prepared(portfolio=portfolio, version=version, progress=lambda *_: None)
    return document_html(document)


def render_portfolio_pdf(
    *,
    portfolio: Portfolio,
    version: PortfolioVersion | None,
    progress: Progress | None = None,
) -> RenderedPdf:
    """The portfolio's working copy (``version=None``) or a frozen version as a PDF."""
    report = progress or (lambda _percent, _stage: None)
    document, missing = _prepared(portfolio=portfolio, version=version, progress=report)
    html = document_html(document)
    report(45, "Laying out the pages")
    fetcher = fetcher_for(portfolio.pk)
    laid_out = layout(html, fetcher)
    report(85, "Writing the PDF")
    content = laid_out.write_pdf()
    if fetcher.refused:
        log.warning(
            "PDF of portfolio %s: the renderer asked for %d refused URLs", portfolio.pk, len(fetcher.refused)
        )
    return RenderedPdf(content=content, page_count=len(laid_out.pages), missing_charts=missing)
