"""Reads for the strategy steps: each step's rows, its ranking or scores, and its state.

Each function costs a fixed number of queries whatever the number of rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import timezone

from audit.kpis import KPI_CATALOGUE
from audit.selectors import kpi_snapshot
from core.guided import StepStatus
from core.models import Portfolio
from strategy import completeness, models
from strategy.planning import parse_roles
from strategy.scoring import (
    RankedPlatform,
    ScoredRisk,
    ScoringError,
    heat_map_matrix,
    rank_platforms,
    score_risks,
)
from strategy.smart import (
    Progress,
    SmartTest,
    higher_is_better,
    metric_label,
    metric_unit,
    objective_progress,
    smart_tests,
)


def current_metric_values(portfolio: Portfolio) -> dict[str, float]:
    """The portfolio's latest service KPIs from the audit's data import; {} when none."""
    return kpi_snapshot(portfolio)


def _get(model: type, portfolio: Portfolio) -> Any:
    return model.objects.filter(portfolio=portfolio).first()


def vision(portfolio: Portfolio) -> tuple[models.Vision | None, StepStatus]:
    row = _get(models.Vision, portfolio)
    return row, completeness.vision_status(row)


@dataclass
class ObjectiveView:
    objective: models.Objective
    tests: list[SmartTest]
    progress: Progress | None
    metric_label: str
    unit: str

    @property
    def failures(self) -> list[SmartTest]:
        return [test for test in self.tests if not test.passed]


def objectives(
    portfolio: Portfolio, *, today: date | None = None, current: dict[str, float] | None = None
) -> tuple[list[ObjectiveView], StepStatus]:
    today = today or timezone.localdate()
    current = current if current is not None else {}
    rows = list(models.Objective.objects.filter(portfolio=portfolio))
    views = []
    for row in rows:
        facts = completeness.objective_facts(row)
        views.append(
            ObjectiveView(
                objective=row,
                tests=smart_tests(facts, today=today),
                progress=objective_progress(
                    baseline=row.baseline,
                    target=row.target,
                    current=current.get(row.metric_key),
                    higher_is_better=higher_is_better(facts),
                ),
                metric_label=metric_label(facts),
                unit=metric_unit(facts),
            )
        )
    return views, completeness.objectives_status(rows, today=today)


@dataclass
class PlatformsView:
    selection: models.PlatformSelection | None
    scores: list[models.PlatformScore]
    ranking: list[RankedPlatform] = field(default_factory=list)
    weights: dict[str, float] = field(default_factory=dict)


def platforms(portfolio: Portfolio) -> tuple[PlatformsView, StepStatus]:
    selection = _get(models.PlatformSelection, portfolio)
    scores = list(models.PlatformScore.objects.filter(portfolio=portfolio))
    view = PlatformsView(selection=selection, scores=scores)
    if scores:
        weights = (selection or models.PlatformSelection()).weights()
        try:
            view.ranking = rank_platforms([(row.platform, row.scores()) for row in scores], weights)
        except ScoringError:
            view.ranking = []
        total = sum(float(v) for v in weights.values())
        view.weights = {key: float(value) / total for key, value in weights.items()}
    return view, completeness.platforms_status(selection, scores, view.ranking)


@dataclass
class RisksView:
    risks: list[tuple[models.Risk, ScoredRisk]]
    matrix: list[list[int]]


def risks(portfolio: Portfolio) -> tuple[RisksView, StepStatus]:
    rows = list(models.Risk.objects.filter(portfolio=portfolio))
    by_pk = {row.pk: row for row in rows}
    scored = score_risks(
        [(r.pk, r.likelihood, r.impact, r.residual_likelihood, r.residual_impact) for r in rows]
    )
    view = RisksView(
        risks=[(by_pk[s.key], s) for s in scored],
        matrix=heat_map_matrix([(r.likelihood, r.impact) for r in rows]),
    )
    return view, completeness.risks_status(rows)


def regulation_checks(portfolio: Portfolio) -> tuple[list[models.RegulationCheck], StepStatus]:
    rows = list(models.RegulationCheck.objects.filter(portfolio=portfolio))
    return rows, completeness.regulation_status(rows)


@dataclass
class ImplementationView:
    plan: models.ImplementationPlan | None
    roles: list[str]
    activities: list[models.RaciActivity]
    protocols: list[models.ResponseProtocol]
    budget: list[models.BudgetLine]
    budget_total: Decimal
    tasks: list[models.TimelineTask]


def implementation(portfolio: Portfolio) -> tuple[ImplementationView, StepStatus]:
    plan = _get(models.ImplementationPlan, portfolio)
    budget = list(models.BudgetLine.objects.filter(portfolio=portfolio))
    view = ImplementationView(
        plan=plan,
        roles=parse_roles(plan.roles) if plan else [],
        activities=list(models.RaciActivity.objects.filter(portfolio=portfolio)),
        protocols=list(models.ResponseProtocol.objects.filter(portfolio=portfolio)),
        budget=budget,
        budget_total=sum((line.amount for line in budget), Decimal(0)),
        tasks=list(models.TimelineTask.objects.filter(portfolio=portfolio)),
    )
    status = completeness.implementation_status(
        plan,
        activities=len(view.activities),
        protocols=len(view.protocols),
        budget_lines=len(budget),
        tasks=len(view.tasks),
        budget_total=view.budget_total,
    )
    return view, status


@dataclass
class CycleView:
    cycle: models.ReviewCycle
    metric_label: str
    unit: str
    change: float | None
    improved: bool | None


def cycles(portfolio: Portfolio) -> tuple[list[CycleView], StepStatus]:
    rows = list(models.ReviewCycle.objects.filter(portfolio=portfolio))
    views = []
    for row in rows:
        kpi = KPI_CATALOGUE.get(row.metric_key)
        change = improved = None
        if row.value_before is not None and row.value_after is not None:
            change = float(row.value_after - row.value_before)
            if kpi and change:
                improved = (change > 0) == kpi.higher_is_better
        views.append(
            CycleView(
                cycle=row,
                metric_label=kpi.label if kpi else "",
                unit=kpi.unit if kpi else "",
                change=change,
                improved=improved,
            )
        )
    return views, completeness.monitoring_status(rows)


def pitch(portfolio: Portfolio) -> tuple[models.ChampionPitch | None, StepStatus]:
    row = _get(models.ChampionPitch, portfolio)
    return row, completeness.pitch_status(row)
