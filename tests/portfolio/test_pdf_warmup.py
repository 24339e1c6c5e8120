"""A worker process's warm-up: what the first export would pay once, paid at the start."""

from __future__ import annotations

import threading
import time

import kaleido
import pytest
from pypdf import PdfReader

from core.pdf import chart_browser
from reports.pdf import warmup
from tests.portfolio.test_pdf_charts import SVG, fake_server  # noqa: F401  (fixture)


@pytest.fixture
def fresh_process(monkeypatch):
    monkeypatch.setattr(warmup, "_done", threading.Event())


def test_the_sample_document_is_a_pdf_in_the_exports_own_shapes(tmp_path):
    from reports.pdf.fetcher import PortfolioURLFetcher, static_pdf_roots
    from reports.pdf.render import document_html, layout

    html = document_html(warmup._sample_document())
    pdf = layout(html, PortfolioURLFetcher(allowed_roots=static_pdf_roots(), timeout=5)).write_pdf(
        pdf_tags=True
    )
    (tmp_path / "warm.pdf").write_bytes(pdf)

    text = "".join(page.extract_text() for page in PdfReader(tmp_path / "warm.pdf").pages)
    assert "Warming up" in text
    assert "A sample heading" in text


def test_a_process_warms_up_once_and_starts_its_browser_each_time(
    fresh_process,
    fake_server,  # noqa: F811
    monkeypatch,
):
    figures = []
    monkeypatch.setattr(kaleido, "calc_fig_sync", lambda fig, *a, **k: figures.append(fig) or SVG.encode())
    written = []
    monkeypatch.setattr(warmup, "_lay_out_and_write", lambda document: written.append(document.title))

    assert warmup.warm_up_exports() is True
    assert chart_browser.HOLDER.running()
    kinds = {trace["type"] for fig in figures for trace in fig["data"]}
    assert {"bar", "scatter", "heatmap"} <= kinds  # each kind of trace the PDF's charts use
    assert written == ["Warm-up"]

    chart_browser.HOLDER.stop()
    assert warmup.warm_up_exports() is True  # the browser again, if it was stopped…
    assert chart_browser.HOLDER.running()
    assert written == ["Warm-up"]  # …but the document only once per process


def test_a_failing_warm_up_is_logged_and_never_raised(fresh_process, monkeypatch, settings, caplog):
    settings.BROWSER_PATH = ""

    def broken(document):
        raise OSError("no fonts")

    monkeypatch.setattr(warmup, "_lay_out_and_write", broken)

    assert warmup.warm_up_exports() is False
    assert "warming up the export failed" in caplog.text


def test_an_export_waits_for_a_warm_up_in_progress():
    finished = []
    with warmup._lock:  # a warm-up running in another thread
        waiter = threading.Thread(
            target=lambda: (warmup.wait_for_warm_up(), finished.append(time.monotonic()))
        )
        waiter.start()
        time.sleep(0.2)
        released = time.monotonic()
        assert finished == []
    waiter.join(5)
    assert finished
    assert finished[0] >= released
