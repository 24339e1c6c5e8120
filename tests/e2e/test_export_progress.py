"""In a browser, as `make run` serves it (no Redis: a real worker on the embedded broker): a PDF
export opens on its progress page, the job waits for the worker, and the page turns into the
download by itself once the worker has made the file."""

from __future__ import annotations

import pytest
from celery.contrib.testing.worker import start_worker
from playwright.sync_api import expect

from config.celery import app
from core.models import Export
from tests.e2e.conftest import log_in
from tests.factories import TEST_PASSWORD
from tests.portfolio.test_embedded_worker import embedded_broker  # noqa: F401  (a fixture)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_export_shows_its_progress_then_the_download(page, learner, embedded_broker):  # noqa: F811
    portfolio = learner.portfolios.get()
    log_in(page, learner.username, TEST_PASSWORD)
    page.goto(f"/portfolios/{portfolio.pk}/exports/")

    page.get_by_role("button", name="Export as PDF").first.click()

    # The progress page, at once: the render is not done inside the request.
    expect(page.locator("#export-progress")).to_be_visible()
    assert list((embedded_broker / "queue").iterdir())  # the job waits in the folder
    expect(page.get_by_role("link", name="Download the PDF")).to_have_count(0)

    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        download_link = page.get_by_role("link", name="Download the PDF")
        expect(download_link).to_be_visible(timeout=90_000)  # the page follows the job by itself
    assert Export.objects.get(portfolio=portfolio).status == Export.Status.DONE

    with page.expect_download() as download:
        download_link.click()
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
