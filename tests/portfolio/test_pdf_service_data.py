"""The PDF's KPI figures come from the service data frozen with the version, not today's."""

from __future__ import annotations

import pytest

from assessment import services as assessment
from audit import services
from audit.synthetic import interactions_csv
from tests.audit.factories import import_service_data
from tests.portfolio.pdf_support import render

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_charts(settings):
    # The figures are read from the text; drawing the charts would only cost time.
    settings.BROWSER_PATH = ""


def _import(portfolio, learner, rows: int):
    return import_service_data(portfolio, learner, interactions_csv(rows))


def test_a_versions_pdf_keeps_its_kpis_after_the_import_is_deleted_and_replaced(
    portfolio, learner, django_capture_on_commit_callbacks
):
    first = _import(portfolio, learner, 60)
    version = assessment.submit_portfolio(portfolio=portfolio, declaration_signed=True, actor=learner)
    with django_capture_on_commit_callbacks(execute=True):
        services.delete_import(service_import=first, actor=learner)
    _import(portfolio, learner, 90)

    frozen = render(portfolio, version)
    working = render(portfolio)

    assert "Service KPIs from the imported data" in frozen.text
    assert "INTERACTIONS 60" in frozen.text.upper()
    assert "INTERACTIONS 90" in working.text.upper()


def test_a_missing_dataset_file_leaves_the_kpis_out_instead_of_failing_the_pdf(portfolio, learner):
    service_import = _import(portfolio, learner, 40)
    service_import.dataset.storage.delete(service_import.dataset.name)

    working = render(portfolio)

    assert working.reader.pages
    assert "INTERACTIONS 40" not in working.text.upper()
    assert "No service data had been imported" in working.text


def test_the_pdf_writes_rate_changes_in_percentage_points(portfolio, learner):
    _import(portfolio, learner, 300)

    text = " ".join(render(portfolio).text.split())

    assert "percentage points better" in text or "percentage points worse" in text
    assert "% better" not in text
    assert "% worse" not in text
