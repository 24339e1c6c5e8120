"""In a real browser: the KPI comparison reads on a phone without losing its desktop layout."""

from __future__ import annotations

import pytest

from audit.synthetic import interactions_csv
from tests.audit.factories import import_service_data
from tests.e2e.conftest import log_in
from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


def open_kpis(browser, live_server, learner, viewport):
    portfolio = learner.portfolios.get()
    context = browser.new_context(base_url=live_server.url, locale="en-GB", viewport=viewport)
    page = context.new_page()
    log_in(page, learner.username, TEST_PASSWORD)
    page.goto(f"/portfolios/{portfolio.pk}/audit/kpis/")
    return context, page


@pytest.fixture
def imported(learner):
    import_service_data(learner.portfolios.get(), learner, interactions_csv(300))
    return learner


def test_on_a_phone_every_figure_of_the_comparison_is_on_screen(browser, live_server, imported):
    context, page = open_kpis(browser, live_server, imported, PHONE)
    table = page.locator("table.kpi-table")

    # The table needs no sideways scrolling: its figures are all within the screen.
    assert table.evaluate("t => t.parentElement.scrollWidth <= t.parentElement.clientWidth")
    for cell in table.locator("tbody tr.kpi-measure td").all():
        box = cell.bounding_box()
        assert box["x"] >= 0
        assert box["x"] + box["width"] <= PHONE["width"]
    # Each definition is on a row of its own, under its measure's figures.
    definition = table.locator("tr.kpi-definition-row td").first
    assert definition.is_visible()
    assert "Number of customer interactions received" in definition.inner_text()
    assert not table.locator("th .kpi-definition").first.is_visible()
    context.close()


def test_on_a_desktop_each_definition_sits_under_its_measures_name(browser, live_server, imported):
    context, page = open_kpis(browser, live_server, imported, DESKTOP)
    table = page.locator("table.kpi-table")

    in_header = table.locator("th .kpi-definition").first
    assert in_header.is_visible()
    assert "Number of customer interactions received" in in_header.inner_text()
    assert not table.locator("tr.kpi-definition-row").first.is_visible()
    # The measure's column keeps its width (18rem) beside the four columns of figures.
    assert table.locator("tbody th").first.bounding_box()["width"] >= 18 * 16
    context.close()
