"""The service data behind the KPI tables and charts of the PDF.

The interactions are not part of a version's snapshot (they are tens of thousands of
rows); a submitted version keeps its dataset file (``audit.models.VersionDataset``) and its
snapshot holds the learner's KPI settings, so a version's PDF reads the frozen data with
the settings as they were frozen.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import pandas as pd

from audit import datasets, kpi_compute
from audit import selectors as audit_selectors
from audit.models import KpiSettings
from core.models import Portfolio, PortfolioVersion
from core.pdf.blocks import first

log = logging.getLogger(__name__)


def _service_frame(portfolio: Portfolio, version: PortfolioVersion | None) -> pd.DataFrame:
    """The interactions the KPIs are computed from: the one place the PDF reads service data.

    A version reads the dataset frozen with it, even if the learner deleted the import since.
    A dataset file that is missing or altered leaves the KPI chapter without figures (the
    page says there is no service data) rather than failing the whole document.
    """
    try:
        return audit_selectors.service_data_frame(portfolio=portfolio, version=version)
    except datasets.DatasetUnavailable:
        log.warning("portfolio %s: the service data file is unavailable for the PDF", portfolio.pk)
        return kpi_compute.empty_frame()


@dataclass
class KpiFigures:
    frame: pd.DataFrame
    sla_minutes: int
    overall: dict[str, float | None]
    baseline: kpi_compute.Period
    follow_up: kpi_compute.Period
    comparison: pd.DataFrame
    by_week: pd.DataFrame
    span: kpi_compute.Period


def kpi_figures(
    portfolio: Portfolio, version: PortfolioVersion | None, snapshot: dict[str, Any]
) -> KpiFigures | None:
    """Every figure the PDF shows about the service data; None when there is none."""
    frame = _service_frame(portfolio, version)
    if frame.empty:
        return None
    settings = first(snapshot, "audit", "kpisettings") or KpiSettings()
    sla = settings.sla_minutes or 60
    baseline, follow_up = audit_selectors.compared_periods(settings, frame)
    # One pass for every table, as the KPI page computes them (the platform table is unused).
    tables = kpi_compute.kpi_tables(frame, sla_minutes=sla, baseline=baseline, follow_up=follow_up)
    return KpiFigures(
        frame=frame,
        sla_minutes=sla,
        overall=tables.overall,
        baseline=baseline,
        follow_up=follow_up,
        comparison=tables.comparison,
        by_week=tables.by_week,
        span=kpi_compute.data_span(frame),
    )
