"""In a real browser: upload a file, map its columns, preview, import, and see the charts."""

from __future__ import annotations

import gzip
import re

import pytest

from audit.models import ChunkedUpload, ServiceDataImport
from audit.synthetic import interactions_csv
from tests.e2e.conftest import log_in
from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_learner_imports_service_data_and_sees_the_charts(page, learner, tmp_path):
    portfolio = learner.portfolios.get()
    export = tmp_path / "zendesk-like.csv"
    export.write_bytes(interactions_csv(400).replace(b"received_at", b"Created", 1))
    log_in(page, learner.username, TEST_PASSWORD)

    page.goto(f"/portfolios/{portfolio.pk}/audit/data/")
    page.get_by_label("File of interactions (CSV or XLSX)").set_input_files(str(export))
    page.get_by_role("button", name="Upload and map columns").click()

    page.get_by_label("Received (required)").select_option("Created")
    page.get_by_label("Save this mapping as (optional)").fill("Our inbox export")
    page.get_by_role("button", name="Check and preview").click()
    assert page.get_by_text("Every one of the 400 rows passed the checks").is_visible()

    page.get_by_role("button", name=re.compile("Import 400 rows")).click()
    assert page.get_by_text("400 interactions imported").first.is_visible()

    page.get_by_role("link", name="See the KPIs and charts").first.click()
    page.wait_for_selector("#chart-volume + script + figcaption, [data-plotly-figure] svg.main-svg")
    for chart in ("chart-volume", "chart-first-response", "chart-comparison", "chart-satisfaction"):
        assert page.locator(f'[data-plotly-figure="{chart}-data"] svg.main-svg').first.is_visible()
    assert page.get_by_role("heading", name="Baseline against follow-up").is_visible()


def test_a_bad_file_is_refused_with_row_and_column(page, learner, tmp_path):
    portfolio = learner.portfolios.get()
    bad = tmp_path / "bad.csv"
    bad.write_text("platform,received_at\nFacebook,2026-01-05 09:00\nMyspace,2026-01-05 10:00\n")
    log_in(page, learner.username, TEST_PASSWORD)

    page.goto(f"/portfolios/{portfolio.pk}/audit/data/")
    page.get_by_label("File of interactions (CSV or XLSX)").set_input_files(str(bad))
    page.get_by_role("button", name="Upload and map columns").click()
    page.get_by_role("button", name="Check and preview").click()

    assert page.get_by_text("Nothing was imported: 1 problem found").is_visible()
    assert page.get_by_role("cell", name=re.compile("Unknown platform “Myspace”")).is_visible()


def test_a_large_file_goes_in_pieces_and_survives_a_dropped_connection(page, learner, tmp_path, settings):
    """The resumable upload (static/js/service_upload.js): one piece is lost on the way, the
    page asks the server where it stands and goes on; the worker reads the .csv.gz and the
    page moves on to the mapping by itself."""
    settings.SERVICE_DATA_UPLOAD_DIR = str(tmp_path / "uploads")
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 16_384  # pieces of 16 KB: the file goes in several
    portfolio = learner.portfolios.get()
    export = tmp_path / "year.csv.gz"
    export.write_bytes(gzip.compress(interactions_csv(5000)))
    assert export.stat().st_size > 2 * 16_384
    dropped = []

    def drop_the_second_piece_once(route):
        if "offset=16384" in route.request.url and route.request.method == "POST" and not dropped:
            dropped.append(route.request.url)
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route(re.compile(r"/audit/data/uploads/"), drop_the_second_piece_once)
    log_in(page, learner.username, TEST_PASSWORD)

    page.goto(f"/portfolios/{portfolio.pk}/audit/data/")
    page.get_by_label("File of interactions (CSV or XLSX)").set_input_files(str(export))
    page.get_by_role("button", name="Upload and map columns").click()

    page.get_by_label("Received (required)").wait_for()
    assert dropped
    assert page.url.endswith("/map/")
    service_import = ServiceDataImport.objects.get()
    assert service_import.row_count == 5000
    assert ChunkedUpload.objects.count() == 0


def test_a_piece_damaged_on_the_way_is_sent_again(page, learner, tmp_path, settings):
    """Each piece carries its SHA-256: the server refuses one altered on the way (422) and the
    page sends it again, so the file is taken whole."""
    settings.SERVICE_DATA_UPLOAD_DIR = str(tmp_path / "uploads")
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 16_384
    portfolio = learner.portfolios.get()
    export = tmp_path / "year.csv.gz"
    export.write_bytes(gzip.compress(interactions_csv(5000)))
    damaged = []

    def damage_the_second_piece_once(route):
        request = route.request
        if "offset=16384" in request.url and request.method == "POST" and not damaged:
            body = request.post_data_buffer
            damaged.append(request.headers.get("x-piece-sha256"))
            route.continue_(post_data=bytes([body[0] ^ 0xFF]) + body[1:])
        else:
            route.continue_()

    page.route(re.compile(r"/audit/data/uploads/"), damage_the_second_piece_once)
    log_in(page, learner.username, TEST_PASSWORD)

    page.goto(f"/portfolios/{portfolio.pk}/audit/data/")
    page.get_by_label("File of interactions (CSV or XLSX)").set_input_files(str(export))
    page.get_by_role("button", name="Upload and map columns").click()

    page.get_by_label("Received (required)").wait_for()
    assert len(damaged) == 1
    assert len(damaged[0]) == 64  # the piece carried its digest
    assert ServiceDataImport.objects.get().row_count == 5000
    assert ChunkedUpload.objects.count() == 0
