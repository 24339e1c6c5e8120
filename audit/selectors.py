"""Reads for the audit, shaped so a page costs a fixed number of queries."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import pandas as pd
from django.core.cache import caches
from django.db.models import F, QuerySet

from audit import charts, datasets, kpi_compute
from audit.models import CustomerSegment, KpiSettings, PlatformPresence, ServiceDataImport, VersionDataset
from core.charts import chart_context
from core.models import Portfolio, PortfolioVersion

log = logging.getLogger(__name__)


def imports_for(portfolio: Portfolio) -> QuerySet[ServiceDataImport]:
    return portfolio.service_imports.defer("headers", "errors").order_by("-created_at", "-pk")


def current_import(portfolio: Portfolio) -> ServiceDataImport | None:
    """The dataset the KPIs are computed from: the latest file imported in full."""
    return (
        portfolio.service_imports.filter(status=ServiceDataImport.Status.DONE)
        .defer("headers", "errors")
        .order_by("-finished_at", "-pk")
        .first()
    )


def interactions_frame(service_import: ServiceDataImport | None) -> pd.DataFrame:
    """The import's interactions as the DataFrame kpi_compute expects, read from its dataset
    file (no query). Empty without an import; ``DatasetUnavailable`` if the file is gone or altered."""
    if service_import is None or not service_import.dataset:
        return kpi_compute.empty_frame()
    return datasets.read(
        service_import.dataset.name, service_import.dataset_sha256, storage=service_import.dataset.storage
    )


def service_data_frame(*, portfolio: Portfolio, version: PortfolioVersion | None = None) -> pd.DataFrame:
    """The interactions the KPIs are computed from (``kpi_compute.COLUMNS``).

    Without ``version``: the working copy's current import. With a submitted version of
    this portfolio: the dataset frozen with it, even if the import was deleted since; an
    empty frame if the version had no service data. One query either way.
    Raises ``datasets.DatasetUnavailable`` if a recorded file is missing or altered.
    """
    if version is None:
        return interactions_frame(current_import(portfolio))
    if version.portfolio_id != portfolio.pk:
        raise ValueError(f"Version {version.pk} is not a version of portfolio {portfolio.pk}.")
    kept = VersionDataset.objects.filter(version=version).first()
    if kept is None:
        return kpi_compute.empty_frame()
    return datasets.read(kept.name, kept.sha256)


def kpi_settings_for(portfolio: Portfolio) -> KpiSettings:
    """The learner's saved settings, or unsaved defaults."""
    return KpiSettings.objects.filter(portfolio=portfolio).first() or KpiSettings(portfolio=portfolio)


def compared_periods(
    settings: KpiSettings, frame: pd.DataFrame
) -> tuple[kpi_compute.Period, kpi_compute.Period]:
    """The baseline and follow-up periods: the learner's own where both ends are set,
    otherwise the default split of the data (``kpi_compute.default_periods``)."""
    defaults = kpi_compute.default_periods(frame)
    baseline = (
        kpi_compute.Period(settings.baseline_start, settings.baseline_end)
        if settings.baseline_start and settings.baseline_end
        else defaults[0]
    )
    follow_up = (
        kpi_compute.Period(settings.follow_up_start, settings.follow_up_end)
        if settings.follow_up_start and settings.follow_up_end
        else defaults[1]
    )
    return baseline, follow_up


@dataclass
class KpiView:
    frame: pd.DataFrame
    settings: KpiSettings
    overall: dict[str, float | None]
    baseline: kpi_compute.Period | None
    follow_up: kpi_compute.Period | None
    comparison: pd.DataFrame | None
    by_platform: pd.DataFrame
    by_week: pd.DataFrame


def kpi_view(
    portfolio: Portfolio, service_import: ServiceDataImport | None, settings: KpiSettings | None = None
) -> KpiView:
    settings = settings or kpi_settings_for(portfolio)
    frame = interactions_frame(service_import)
    baseline = follow_up = None
    if not frame.empty:
        baseline, follow_up = compared_periods(settings, frame)
    tables = kpi_compute.kpi_tables(
        frame, sla_minutes=settings.sla_minutes, baseline=baseline, follow_up=follow_up
    )
    return KpiView(
        frame=frame,
        settings=settings,
        overall=tables.overall,
        baseline=baseline,
        follow_up=follow_up,
        comparison=tables.comparison,
        by_platform=tables.by_platform,
        by_week=tables.by_week,
    )


def kpi_snapshot(portfolio: Portfolio) -> dict[str, float]:
    """Every KPI that has a value, over the whole period of the current dataset.

    Keyed as ``audit.kpis.KPI_CATALOGUE``; an empty dict when nothing is imported, or
    when the dataset cannot be read (logged; the KPI page tells the learner).
    The strategy app reads baselines for objectives from here. Two queries; the dataset is
    read and the KPIs computed once per process for a given file content and service level
    (the ``local`` cache: never Redis, so the page works while Redis is away), since both are
    fixed once recorded: a dataset file never changes under its digest (``datasets.read``
    checks it); a new import has a new digest, new settings a new service level.
    """
    service_import = current_import(portfolio)
    if service_import is None:
        return {}
    sla_minutes = kpi_settings_for(portfolio).sla_minutes
    memo_key = f"kpi-snapshot:{service_import.dataset_sha256}:{sla_minutes}"
    if service_import.dataset_sha256 and (known := caches["local"].get(memo_key)) is not None:
        return dict(known)
    try:
        frame = interactions_frame(service_import)
    except datasets.DatasetUnavailable:
        log.exception("service data %s could not be read", service_import.pk)
        return {}
    if frame.empty:
        return {}
    values = kpi_compute.compute_kpis(frame, sla_minutes=sla_minutes)
    snapshot = {key: float(value) for key, value in values.items() if value is not None}
    if service_import.dataset_sha256:
        caches["local"].set(memo_key, snapshot, None)
    return dict(snapshot)


@dataclass(frozen=True)
class AudienceEvidence:
    """What the audit found about where customers are: the ground for choosing platforms."""

    presences: list[PlatformPresence]
    segments: list[CustomerSegment]

    @property
    def is_empty(self) -> bool:
        return not self.presences and not self.segments


def audience_evidence(portfolio: Portfolio) -> AudienceEvidence:
    """The audit's platforms (largest audience first) and customer segments, in two queries."""
    presences = (
        PlatformPresence.objects.filter(portfolio=portfolio)
        .exclude(platform="")
        .order_by(F("audience").desc(nulls_last=True), "position", "pk")
    )
    segments = CustomerSegment.objects.filter(portfolio=portfolio).exclude(name="").order_by("position", "pk")
    return AudienceEvidence(presences=list(presences), segments=list(segments))


def kpi_comparison_chart(portfolio: Portfolio, *, element_id: str) -> dict[str, Any] | None:
    """The current service data's baseline against its follow-up, as a chart's context
    (``core.charts.chart_context``), for a page beyond the audit's (the strategy's pitch);
    None without a dataset, or one that cannot be read or has no two periods to compare."""
    service_import = current_import(portfolio)
    if service_import is None:
        return None
    try:
        view = kpi_view(portfolio, service_import)
    except datasets.DatasetUnavailable:
        return None
    if view.comparison is None or view.baseline is None or view.follow_up is None:
        return None
    return chart_context(
        charts.baseline_follow_up_figure(
            view.comparison,
            baseline_label=view.baseline.label(),
            follow_up_label=view.follow_up.label(),
        ),
        element_id=element_id,
        title="Baseline against follow-up",
        description=f"Pairs of bars per measure: {view.baseline.label()} against {view.follow_up.label()}.",
    )
