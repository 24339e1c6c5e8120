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

from audit import charts, datasets, kpi_compute
from audit import selectors as audit_selectors
from audit.kpis import KPI_CATALOGUE
from audit.models import KpiSettings
from core.charts import figure_json
from core.formatting import signed_change
from core.models import Portfolio, PortfolioVersion
from core.pdf.blocks import Block, Chart, Facts, Heading, Table, first, number
from core.pdf.charts import ChartSpec

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

    def blocks(self) -> list[Block]:
        """The KPIs drawn for the PDF (``kpi_blocks``): a chapter given these figures by the
        ``kpis`` provider draws them without importing the audit's charts."""
        return kpi_blocks(self)


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


def _kpi_value(value: Any, unit: str) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "—"
    return f"{number(value, places=1)}{'%' if unit == '%' else ''}"


def kpi_blocks(kpis: KpiFigures) -> list[Block]:
    """The service KPIs as the strategy's monitoring chapter shows them: the table of every
    measure over the whole period, baseline and follow-up, the KPI page's four charts, and
    what each measure means."""
    comparison = kpis.comparison
    rows = []
    for key, kpi in KPI_CATALOGUE.items():
        row = comparison.loc[key]
        change = row["change"]
        improved = row["improved"]
        verdict = "" if improved is None or pd.isna(improved) else (" better" if improved else " worse")
        rows.append(
            [
                f"{kpi.label}{'' if kpi.unit in {'%', 'score'} else f' ({kpi.unit})'}",
                _kpi_value(kpis.overall[key], kpi.unit),
                _kpi_value(row["baseline"], kpi.unit),
                _kpi_value(row["follow_up"], kpi.unit),
                (signed_change(change, kpi.unit) + verdict)
                if change is not None and not pd.isna(change)
                else "—",
            ]
        )
    sla = kpis.sla_minutes
    return [
        Heading("Service KPIs from the imported data"),
        Facts(
            [
                ("Interactions", number(len(kpis.frame.index))),
                ("Period", kpis.span.label()),
                ("First response target", f"{sla} min"),
                ("Baseline", kpis.baseline.label()),
                ("Follow-up", kpis.follow_up.label()),
            ]
        ),
        Table(["Measure", "Whole period", "Baseline", "Follow-up", "Change"], rows, numeric=(1, 2, 3, 4)),
        *_kpi_charts(kpis),
        Heading("How each measure is defined"),
        Table(
            ["Measure", "Definition"], [[k.label, k.definition] for k in KPI_CATALOGUE.values()], compact=True
        ),
    ]


def _kpi_charts(kpis: KpiFigures) -> list[Block]:
    """The KPI page's four figures, with the same titles (audit.views._charts)."""
    sla = kpis.sla_minutes
    figures = [
        (
            "kpi-volume",
            charts.volume_by_week_figure(kpi_compute.weekly_volume_by_platform(kpis.frame)),
            "Contacts per week by platform",
            "Stacked bars, one colour per platform.",
        ),
        (
            "kpi-first-response",
            charts.first_response_figure(kpis.frame, sla_minutes=sla),
            "How long customers waited for a first response",
            f"Histogram in half hours, with the median, the 90th percentile and the {sla}-minute "
            "target marked.",
        ),
        (
            "kpi-comparison",
            charts.baseline_follow_up_figure(
                kpis.comparison, baseline_label=kpis.baseline.label(), follow_up_label=kpis.follow_up.label()
            ),
            "Baseline against follow-up",
            "Pairs of bars per measure; the same figures are in the table above.",
        ),
        (
            "kpi-satisfaction",
            charts.satisfaction_figure(kpis.by_week),
            "Satisfaction per week",
            "CSAT on the left scale (per cent), NPS on the right (−100 to +100).",
        ),
    ]
    return [
        Chart(ChartSpec(key=key, title=title, description=description, figure=figure_json(figure)))
        for key, figure, title, description in figures
    ]
