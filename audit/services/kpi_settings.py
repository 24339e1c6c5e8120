"""The KPI settings of a portfolio: the first response target and the periods compared."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db import transaction

from audit.models import KpiSettings
from audit.services.errors import AuditError
from core import concurrency
from core.models import Portfolio, User

log = logging.getLogger(__name__)


# --- KPI settings ---------------------------------------------------------------------


@dataclass
class KpiSettingsInput:
    sla_minutes: int
    baseline_start: object = None
    baseline_end: object = None
    follow_up_start: object = None
    follow_up_end: object = None


@transaction.atomic
def save_kpi_settings(
    *, portfolio: Portfolio, values: KpiSettingsInput, actor: User, token: str | None = None
) -> KpiSettings:
    concurrency.claim(
        scope=concurrency.portfolio_scope(portfolio.pk, "audit.kpi_settings"), token=token, actor=actor
    )
    pairs = [(values.baseline_start, values.baseline_end), (values.follow_up_start, values.follow_up_end)]
    for start, end in pairs:
        if (start is None) != (end is None):
            raise AuditError("Give both the first and the last day of a period, or neither.")
        if start and end and end < start:
            raise AuditError("A period cannot end before it starts.")
    if values.sla_minutes < 1:
        raise AuditError("The first response target must be at least one minute.")
    kpi_settings, _ = KpiSettings.objects.update_or_create(
        portfolio=portfolio,
        defaults={
            "sla_minutes": values.sla_minutes,
            "baseline_start": values.baseline_start,
            "baseline_end": values.baseline_end,
            "follow_up_start": values.follow_up_start,
            "follow_up_end": values.follow_up_end,
        },
    )
    log.info("KPI settings of portfolio %s saved by %s", portfolio.pk, actor.username)
    return kpi_settings
