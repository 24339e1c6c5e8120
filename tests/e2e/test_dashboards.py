"""Both dashboards in a browser for the demo cohort, and both exports downloaded."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest
from django.conf import settings
from playwright.sync_api import expect

from tests.e2e.conftest import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo():
    from demo.people import build_demo

    return build_demo(learners=6)


def test_the_tutor_opens_the_cohort_dashboard_and_downloads_both_exports(page, demo):
    cohort = demo.cohort
    log_in(page, "tutor", settings.DEMO_PASSWORD)

    page.goto(f"/cohorts/{cohort.pk}/")
    page.get_by_role("link", name="Dashboard").click()
    page.get_by_role("heading", name="Cohort dashboard").wait_for()
    assert page.get_by_role("heading", name="Criteria heat map").is_visible()
    assert page.locator("#heatmap tbody tr").count() == 6
    # Scrolled sideways in its box, the heat map keeps the learners' names in view.
    box = page.locator("#heatmap").locator("xpath=..")
    box.evaluate("box => { box.scrollLeft = 400; }")
    name = page.locator("#heatmap tbody th").first
    assert box.evaluate("box => box.scrollLeft") > 0
    assert abs(name.bounding_box()["x"] - box.bounding_box()["x"]) < 2
    assert page.get_by_role("heading", name="How a learner counts as at risk").is_visible()
    # The progress chart arrives after the page (htmx) and is drawn by plotly, with its table.
    expect(page.locator('[data-plotly-figure="progress-over-time-data"] .main-svg').first).to_be_visible(
        timeout=15_000
    )
    page.get_by_text("The figures as a table").click()
    assert page.locator("#progress-table tbody tr").count() >= 8  # the demo cohort started 60 days ago
    assert page.locator('[data-plotly-figure="coverage-distribution-data"] .main-svg').first.is_visible()

    page.get_by_label("Sort by").select_option("-coverage")
    page.get_by_role("button", name="Apply").click()
    first = page.locator("#learners tbody tr").first.locator("td").first.inner_text()
    assert first == "100 %"

    frames = {}
    for label, kind in (("Download CSV", "csv"), ("Download Excel (XLSX)", "xlsx")):
        with page.expect_download() as info:
            page.get_by_role("link", name=label).click()
        download = info.value
        assert download.suggested_filename.endswith(f".{kind}")
        body = Path(download.path()).read_bytes()
        if kind == "csv":
            frames[kind] = pd.read_csv(io.BytesIO(body), keep_default_na=False)
        else:
            frames[kind] = pd.read_excel(io.BytesIO(body), engine="openpyxl", keep_default_na=False)
    for frame in frames.values():
        assert len(frame) == 6
        assert "Amira Khan" in set(frame["Learner"])
        criteria = [c for c in frame.columns if c.startswith(("CFACSD22 ", "CSSMS "))]
        assert len(criteria) == demo.cohort.frameworks.values("criteria").count()
    assert list(frames["csv"].columns) == list(frames["xlsx"].columns)


def test_the_assessor_sees_their_caseload_queue_and_quality_actions(page, demo):
    log_in(page, "assessor", settings.DEMO_PASSWORD)

    page.goto("/assessor/")
    page.get_by_role("heading", name="Review queue").wait_for()
    assert page.get_by_role("heading", name="Quality assurance actions to answer").is_visible()
    assert page.locator("#caseload tbody tr").count() == 6
    assert page.locator("#review-queue tbody tr").count() >= 1
