"""The portfolio as a PDF document: what the moderator reads without logging in.

``render_portfolio_pdf`` is the one entry point (the export task and the management
command call it): gather the snapshot into chapters, draw the charts as SVG, downscale
the images, lay out the pages with WeasyPrint and write the file. The document depends
only on the portfolio and version, never on who asks for it. See docs/pdf.md.
"""

from __future__ import annotations

import base64
import logging
import os
from collections.abc import Callable
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import dataclass

import weasyprint

from core.models import Portfolio, PortfolioVersion
from core.pdf.charts import ChartJob, DrawnChart, placeholder
from evidence.pdf_files import place_files, start_files
from evidence.pdf_images import PrintImage, portfolio_scope
from reports.pdf.document import Document, build_document, document_snapshot
from reports.pdf.fetcher import PortfolioURLFetcher, fetcher_for
from reports.pdf.images import photo_ids, place_images, settle_images, start_images
from reports.pdf.merge import carry_files
from reports.pdf.render import document_html, fill_placeholders, layout
from reports.pdf.warmup import wait_for_warm_up

log = logging.getLogger(__name__)

Progress = Callable[[int, str], None]


@dataclass(frozen=True)
class RenderedPdf:
    content: bytes
    page_count: int
    missing_charts: tuple[str, ...]  # titles of charts drawn as a note because Chromium was absent


def _prepared(
    *,
    portfolio: Portfolio,
    version: PortfolioVersion | None,
    progress: Progress,
    images: Executor,
    lazy_images: bool,
) -> tuple[Document, ChartJob, dict[str, Future[PrintImage | None]]]:
    """The document with its charts being drawn and its images scaled in ``images``.

    With ``lazy_images`` the photos not scaled yet are left as placeholders the fetcher
    resolves during the layout (``reports.pdf.images``); returned with their jobs.
    """
    progress(5, "Gathering the portfolio")
    snapshot = document_snapshot(portfolio=portfolio, version=version)
    # Images scale in threads (Pillow releases the GIL) from now until the layout needs them;
    # the files to carry, which the HTML needs, in threads of their own so they do not queue
    # behind the photos.
    jobs = start_images(snapshot, images, scope=portfolio_scope(portfolio.pk))
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="pdf-file") as files_pool:
        # Every stored file is read, hashed and (a PDF) cleaned, to be attached and merged.
        files = start_files(snapshot, version, files_pool)
        document = build_document(portfolio=portfolio, version=version, snapshot=snapshot)
        place_files(document.evidence, files)
    pending = place_images(document.evidence, jobs, photo_ids=photo_ids(snapshot) if lazy_images else set())
    progress(20, "Drawing the charts")
    # The browser starts drawing once the photos are scaled: the layout needs them first (the
    # charts only when the PDF is written), so on a two-core machine it does not take the
    # second core from them.
    charts = ChartJob(
        [chart.spec for chart in document.charts],
        scope=f"portfolio-{portfolio.pk}",
        after=list(jobs.values()),
    )
    return document, charts, pending


def _image_pool() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=max(2, min(4, os.cpu_count() or 2)), thread_name_prefix="pdf-image")


def _with_charts(document: Document, drawn: list[DrawnChart]) -> tuple[str, ...]:
    """Put the drawn charts in the document; the titles of those left as notes."""
    for chart, result in zip(document.charts, drawn, strict=True):
        chart.drawn = result
    return tuple(chart.spec.title for chart in document.charts if chart.drawn is None or chart.drawn.missing)


def _laid_out(
    document: Document,
    charts: ChartJob,
    fetcher: PortfolioURLFetcher,
    pending: dict[str, Future[PrintImage | None]],
) -> tuple[weasyprint.Document, tuple[str, ...]]:
    """The pages, laid out while the charts are drawn and the photos scaled.

    Chromium's start and the drawing take seconds; the layout only needs each chart's size,
    which is known in advance. So the pages are laid out with empty SVGs of the charts'
    sizes, and the charts are put in their place before the PDF is written. Photos still
    being scaled are fetched as the layout reaches them (``fetcher.pending``). If a chart
    could not be drawn it becomes a note, or a photo could not be read, which changes the
    layout: the pages are laid out again (rare: the browser failed during the render).
    """
    fetcher.pending = pending
    if charts.done():
        missing = _with_charts(document, charts.result())
        laid_out = layout(document_html(document), fetcher)
        if not settle_images(document.evidence, pending):
            laid_out = layout(document_html(document), fetcher)
        return laid_out, missing
    placeholders = [placeholder(chart.spec) for chart in document.charts]
    _with_charts(document, placeholders)
    images: dict[str, object] = {}
    laid_out = layout(document_html(document), fetcher, images)
    photos_right = settle_images(document.evidence, pending)
    drawn = charts.result()
    missing = _with_charts(document, drawn)
    svgs = {
        empty.svg_uri: base64.b64decode(result.svg_uri.split(",", 1)[1]).decode("utf-8")
        for empty, result in zip(placeholders, drawn, strict=True)
        if not result.missing
    }
    swapped = not missing and photos_right and fill_placeholders(images, svgs, fetcher)
    if not swapped:
        log.info(
            "PDF: laid out again (charts missing: %d, photos as laid out: %s)", len(missing), photos_right
        )
        laid_out = layout(document_html(document), fetcher)
    return laid_out, missing


def render_portfolio_html(*, portfolio: Portfolio, version: PortfolioVersion | None) -> str:
    """The final HTML WeasyPrint lays out (for the benchmark and for inspection)."""
    with _image_pool() as images:
        document, charts, _ = _prepared(
            portfolio=portfolio, version=version, progress=lambda *_: None, images=images, lazy_images=False
        )
    _with_charts(document, charts.result())
    return document_html(document)


def render_portfolio_pdf(
    *,
    portfolio: Portfolio,
    version: PortfolioVersion | None,
    progress: Progress | None = None,
) -> RenderedPdf:
    """The portfolio's working copy (``version=None``) or a frozen version as a PDF."""
    report = progress or (lambda _percent, _stage: None)
    wait_for_warm_up()
    with _image_pool() as images:
        document, charts, pending = _prepared(
            portfolio=portfolio, version=version, progress=report, images=images, lazy_images=True
        )
        report(45, "Laying out the pages")
        fetcher = fetcher_for(portfolio.pk)
        laid_out, missing = _laid_out(document, charts, fetcher, pending)
    report(85, "Writing the PDF")
    # Tagged: headings, lists, tables with their header cells, figures with their alt text
    # and the document's language, for screen readers and reflow (about 8 % more time).
    content = laid_out.write_pdf(pdf_tags=True)
    # The merged PDFs' pages drawn in the slots laid out for them, the originals attached.
    content = carry_files(
        content,
        [f for entry in document.evidence for f in (entry.carried, *entry.record_files)],
    )
    if fetcher.refused:
        log.warning(
            "PDF of portfolio %s: the renderer asked for %d refused URLs", portfolio.pk, len(fetcher.refused)
        )
    return RenderedPdf(content=content, page_count=len(laid_out.pages), missing_charts=missing)
