"""What a process's first PDF export would pay once, paid when the process starts.

A fresh process's first export cost about 0.45 s of CPU more than the same export made again
with every cache emptied (``bench/pdf_export.py``: ``cold`` against ``cold_again``): WeasyPrint
meeting the stylesheet, the fonts and the tagging for the first time, plotly building the
validators of each kind of trace, the document's templates compiled. ``warm_up_exports`` pays
that on a small document of no one's data (the same template, stylesheet and fonts as every
export, and one chart of each kind drawn by the chart browser), so a learner's first export
does not. A Celery worker calls it when its process starts (``config.celery``), in a thread.
"""

from __future__ import annotations

import logging
import threading
import time

import plotly.graph_objects as go
from django.utils import timezone

from core.pdf.blocks import Chapter, Facts, Fields, Heading, Table
from core.pdf.charts import ChartJob, ChartSpec, start_chart_browser
from reports.pdf.document import Cover, Document
from reports.pdf.fetcher import PortfolioURLFetcher, static_pdf_roots
from reports.pdf.render import document_html, layout

log = logging.getLogger(__name__)

_done = threading.Event()
_lock = threading.Lock()


def warm_up_exports() -> bool:
    """Start the chart browser and, the first time in this process, render a small document
    (about a second in all). True when the browser is running afterwards. Never raises: a
    failure is logged, and the first export then pays what was not done."""
    with _lock:
        started = time.perf_counter()
        browser = start_chart_browser()
        if not _done.is_set():
            try:
                _draw_each_kind_of_chart(browser)
                _lay_out_and_write(_sample_document())
            except Exception:
                log.exception("PDF: warming up the export failed; the first export pays for it")
            _done.set()
            log.info("PDF: export warmed up in %.2f s", time.perf_counter() - started)
        return browser


def wait_for_warm_up() -> None:
    """Returns once no warm-up is running in this process (at once when none is): an export
    that comes first waits for it rather than laying out a document beside it."""
    with _lock:
        pass


def _draw_each_kind_of_chart(browser: bool) -> None:
    """The kinds of trace the PDF's charts use, built (plotly's validators) and, with a
    browser, drawn once each (no cache: the warm-up figure's key is its own)."""
    figure = go.Figure(
        data=[
            go.Bar(x=["a", "b"], y=[1, 2], name="Bar"),
            go.Scatter(x=["a", "b"], y=[2, 1], mode="lines+markers", name="Line"),
        ],
        layout=go.Layout(title={"text": "Warm-up"}, barmode="group"),
    )
    heat = go.Figure(data=[go.Heatmap(z=[[1, 2], [3, 4]], x=["a", "b"], y=["c", "d"])])
    specs = [
        ChartSpec(key="warm-up-bars", title="Warm-up", description="", figure=figure.to_plotly_json()),
        ChartSpec(key="warm-up-heat", title="Warm-up", description="", figure=heat.to_plotly_json()),
    ]
    if browser:
        ChartJob(specs, scope="warm-up").result()


def _sample_document() -> Document:
    """A few pages in the document's own shapes: cover, contents, a chapter of each kind of
    block, the declaration. Made-up words only."""
    chapter = Chapter(
        key="warm.up",
        title="Warming up",
        stage="Audit",
        state="complete",
        number=1,
        summary="A sample chapter",
        blocks=[
            Heading("A sample heading"),
            Fields([("A label", "A passage of sample text,\nwith a line break.")]),
            Facts([("Figure", "42"), ("Date", "1 January 2026")]),
            Table(
                columns=["Name", "Value"], rows=[["One", "1"], ["Two", "2"]], caption="A table", numeric=(1,)
            ),
        ],
    )
    cover = Cover(
        learner="Sample Learner",
        organisation="Sample Organisation",
        cohort="Sample cohort",
        cohort_code="SAMPLE",
        provider="Sample provider",
        frameworks=[("Standard", "SAMPLE", "A sample standard")],
        assessor="Sample Assessor",
        version_label="Working copy",
        state="In progress",
        submitted="",
        outcome_date="",
        cohort_dates="",
        prepared=timezone.now().strftime("%d %B %Y"),
        digest="",
    )
    return Document(
        title="Warm-up",
        subject="Warm-up",
        keywords="",
        unit_title="A sample unit",
        cover=cover,
        chapters=[chapter],
        evidence=[],
        matrix=[],
        assessment=None,
        declaration="A sample declaration.",
        declaration_signed="",
    )


def _lay_out_and_write(document: Document) -> None:
    fetcher = PortfolioURLFetcher(allowed_roots=static_pdf_roots(), timeout=5)
    layout(document_html(document), fetcher).write_pdf(pdf_tags=True)
