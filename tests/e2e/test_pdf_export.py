"""In a browser: the learner exports their portfolio, watches the progress and downloads the PDF;
the assessor exports the version they review."""

from __future__ import annotations

import io
import threading
from pathlib import Path

import pytest
from django.db import connections
from pypdf import PdfReader

from assessment.services import submit_portfolio
from reports import pdf
from reports.tasks import render_export
from tests.e2e.conftest import log_in
from tests.evidence.factories import EvidenceFactory
from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def background_worker(monkeypatch):
    """Runs each queued export in a thread of its own, as a worker would, so the page has
    something to follow. The task code is the real one; only the broker is left out (the
    worker tests cover it). On the in-memory SQLite test database the thread shares the
    test's connection, as the live server does, since a second connection would see
    tables locked."""
    shared = {c.alias: c for c in connections.all() if c.vendor == "sqlite" and c.is_in_memory_db()}
    threads = []

    def run(export_id: int, task_id: str) -> None:
        for alias, connection in shared.items():
            connections[alias] = connection
        try:
            render_export.apply(args=[export_id], task_id=task_id)
        finally:
            # A thread's own connections (PostgreSQL) would keep the test database open.
            for connection in connections.all(initialized_only=True):
                if connection.alias not in shared:
                    connection.close()

    def apply_async(*, args, task_id, **options):
        thread = threading.Thread(target=run, args=(args[0], task_id), daemon=True)
        threads.append(thread)
        thread.start()

    for connection in shared.values():
        connection.inc_thread_sharing()
    monkeypatch.setattr(render_export, "apply_async", apply_async)
    yield
    for thread in threads:
        thread.join(timeout=30)
    for connection in shared.values():
        connection.dec_thread_sharing()


@pytest.fixture
def paused_render(monkeypatch):
    """The render reports a stage, then waits until the test has seen it on the page."""
    release = threading.Event()
    real = pdf.render_portfolio_pdf

    def render(*, portfolio, version, progress=None):
        progress(35, "Drawing the charts")
        release.wait(timeout=30)
        return real(portfolio=portfolio, version=version, progress=progress)

    monkeypatch.setattr(pdf, "render_portfolio_pdf", render)
    return release


def _downloaded_pdf(page, link_name: str) -> PdfReader:
    with page.expect_download() as info:
        page.get_by_role("link", name=link_name).click()
    download = info.value
    assert download.suggested_filename.endswith(".pdf")
    body = Path(download.path()).read_bytes()
    assert body.startswith(b"%PDF")
    return PdfReader(io.BytesIO(body))


def test_the_learner_exports_watches_the_progress_and_downloads_the_pdf(
    page, learner, background_worker, paused_render
):
    portfolio = learner.portfolios.get()
    EvidenceFactory(portfolio=portfolio, title="Why weekend replies on X were slow")
    log_in(page, learner.username, TEST_PASSWORD)

    page.goto(f"/portfolios/{portfolio.pk}/")
    page.get_by_role("button", name="Export as PDF").click()

    page.get_by_role("heading", name="PDF of the working copy").wait_for()
    assert page.get_by_text("Your PDF is being made.").is_visible()
    status = page.locator("#export-status")
    status.get_by_text("Drawing the charts").wait_for()  # polled in while the render runs
    assert page.locator("#export-progress").get_attribute("value") == "35"
    assert status.get_by_text("You can leave this page").is_visible()

    paused_render.set()
    status.get_by_role("heading", name="The PDF is ready").wait_for(timeout=20_000)
    assert page.locator("#export-progress").count() == 0
    reader = _downloaded_pdf(page, "Download the PDF")
    assert len(reader.pages) >= 1

    # The list of exports shows it, and the notification says it is ready.
    page.get_by_role("link", name="PDF exports").click()
    assert page.locator("#exports tbody tr").count() == 1
    assert page.locator("#exports").get_by_text("Ready").is_visible()
    page.goto("/notifications/")
    assert page.get_by_text("portfolio (working copy) is ready").is_visible()


def test_the_assessor_exports_the_submitted_version_they_review(page, learner, assessor, background_worker):
    portfolio = learner.portfolios.get()
    EvidenceFactory(portfolio=portfolio, title="Complaint handled in public")
    submit_portfolio(portfolio=portfolio, declaration_signed=True, actor=learner)
    log_in(page, assessor.username, TEST_PASSWORD)

    page.goto("/assessment/queue/")
    page.get_by_role("link", name=learner.display_name, exact=True).click()
    page.get_by_role("button", name="Export as PDF (version 1)").click()

    page.get_by_role("heading", name="PDF of version 1").wait_for()
    page.get_by_role("heading", name="The PDF is ready").wait_for(timeout=20_000)
    reader = _downloaded_pdf(page, "Download the PDF")
    assert len(reader.pages) >= 1
