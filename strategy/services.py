"""Writes for the strategy steps. Each saves a whole step in one transaction, checks the
domain rules again (the forms already did, but a service must not trust its caller),
and records the step as portfolio evidence with its computed state."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import models as db_models
from django.db import transaction

from core import concurrency
from core.guided import StepError, StepStatus
from core.models import Portfolio, User
from evidence.services import record_section
from strategy import models, selectors
from strategy.planning import MAX_ROLES, parse_roles, raci_problems, timeline_problem
from strategy.scoring import CRITERION_KEYS, ScoringError, normalise_weights, risk_score

log = logging.getLogger(__name__)


class StrategyError(StepError):
    """A rule of the domain was broken; the message is shown to the user."""


Row = dict[str, Any]


def _record(*, portfolio: Portfolio, step: str, status: StepStatus, actor: User) -> StepStatus:
    record_section(
        portfolio=portfolio,
        key=f"strategy.{step}",
        complete=status.complete,
        summary=status.summary,
        actor=actor,
    )
    log.info("strategy step %s of portfolio %s saved by %s", step, portfolio.pk, actor.username)
    return status


def _claim(*, portfolio: Portfolio, step: str, token: str | None, actor: User) -> None:
    """The step's version check (portfolio/concurrency.py): first, so a conflict writes nothing."""
    concurrency.claim(
        scope=concurrency.portfolio_scope(portfolio.pk, f"strategy.{step}"), token=token, actor=actor
    )


def _update_one(model: type[db_models.Model], *, portfolio: Portfolio, values: Row) -> db_models.Model:
    row, _created = model.objects.select_for_update().get_or_create(portfolio=portfolio)
    for name, value in values.items():
        setattr(row, name, value)
    row.full_clean(exclude=["portfolio"])
    row.save()
    return row


def _replace_rows(model: type[db_models.Model], *, portfolio: Portfolio, rows: Iterable[Row]) -> None:
    """Swap the step's rows for the submitted ones; nothing else refers to them."""
    instances = []
    for position, values in enumerate(rows):
        instance = model(portfolio=portfolio, position=position, **values)
        instance.full_clean(exclude=["portfolio"])
        instances.append(instance)
    model.objects.filter(portfolio=portfolio).delete()
    model.objects.bulk_create(instances)


def _check_span(start: Any, end: Any, what: str) -> None:
    if timeline_problem(start, end):
        raise StrategyError(f"{what}: the end cannot be before the start.")


@transaction.atomic
def save_vision(*, portfolio: Portfolio, values: Row, actor: User, token: str | None = None) -> StepStatus:
    _claim(portfolio=portfolio, step="vision", token=token, actor=actor)
    _update_one(models.Vision, portfolio=portfolio, values=values)
    _row, status = selectors.vision(portfolio)
    return _record(portfolio=portfolio, step="vision", status=status, actor=actor)


@transaction.atomic
def save_objectives(
    *, portfolio: Portfolio, rows: Sequence[Row], actor: User, token: str | None = None
) -> StepStatus:
    _claim(portfolio=portfolio, step="objectives", token=token, actor=actor)
    for number, row in enumerate(rows, start=1):
        _check_span(row.get("start"), row.get("deadline"), f"Objective {number}")
    _replace_rows(models.Objective, portfolio=portfolio, rows=rows)
    _views, status = selectors.objectives(portfolio)
    return _record(portfolio=portfolio, step="objectives", status=status, actor=actor)


@transaction.atomic
def save_platforms(
    *, portfolio: Portfolio, selection: Row, rows: Sequence[Row], actor: User, token: str | None = None
) -> StepStatus:
    _claim(portfolio=portfolio, step="platforms", token=token, actor=actor)
    try:
        normalise_weights({key: selection.get(f"weight_{key}") for key in CRITERION_KEYS})
    except ScoringError as error:
        raise StrategyError(str(error)) from None
    _update_one(models.PlatformSelection, portfolio=portfolio, values=selection)
    _replace_rows(models.PlatformScore, portfolio=portfolio, rows=rows)
    _view, status = selectors.platforms(portfolio)
    return _record(portfolio=portfolio, step="platforms", status=status, actor=actor)


@transaction.atomic
def save_risks(
    *, portfolio: Portfolio, rows: Sequence[Row], actor: User, token: str | None = None
) -> StepStatus:
    _claim(portfolio=portfolio, step="risks", token=token, actor=actor)
    for number, row in enumerate(rows, start=1):
        try:
            risk_score(row.get("likelihood"), row.get("impact"))
            if row.get("residual_likelihood") is not None or row.get("residual_impact") is not None:
                risk_score(row.get("residual_likelihood"), row.get("residual_impact"))
        except ScoringError as error:
            raise StrategyError(f"Risk {number}: {error}") from None
    _replace_rows(models.Risk, portfolio=portfolio, rows=rows)
    _view, status = selectors.risks(portfolio)
    return _record(portfolio=portfolio, step="risks", status=status, actor=actor)


@transaction.atomic
def save_regulation_checks(
    *, portfolio: Portfolio, rows: Sequence[Row], actor: User, token: str | None = None
) -> StepStatus:
    _claim(portfolio=portfolio, step="regulation", token=token, actor=actor)
    _replace_rows(models.RegulationCheck, portfolio=portfolio, rows=rows)
    _rows, status = selectors.regulation_checks(portfolio)
    return _record(portfolio=portfolio, step="regulation", status=status, actor=actor)


@transaction.atomic
def save_implementation(
    *,
    portfolio: Portfolio,
    plan: Row,
    raci: Sequence[tuple[str, dict[str, str]]],
    protocols: Sequence[Row],
    budget: Sequence[Row],
    tasks: Sequence[Row],
    actor: User,
    token: str | None = None,
) -> StepStatus:
    """The whole plan at once: the matrix, protocols, budget and timeline, or nothing."""
    _claim(portfolio=portfolio, step="implementation", token=token, actor=actor)
    roles = parse_roles(plan.get("roles", ""))
    if len(roles) > MAX_ROLES:
        raise StrategyError(f"List at most {MAX_ROLES} people or roles.")
    for activity, assignments in raci:
        if set(assignments) - set(roles):
            raise StrategyError(f"“{activity}” names a role that is not in the list of roles.")
        problems = raci_problems(assignments)
        if problems:
            raise StrategyError(f"“{activity}”: {problems[0]}")
    for number, task in enumerate(tasks, start=1):
        _check_span(task.get("start"), task.get("end"), f"Task {number}")
    _update_one(models.ImplementationPlan, portfolio=portfolio, values={**plan, "roles": "\n".join(roles)})
    _replace_rows(
        models.RaciActivity,
        portfolio=portfolio,
        rows=[{"activity": activity, "assignments": assignments} for activity, assignments in raci],
    )
    _replace_rows(models.ResponseProtocol, portfolio=portfolio, rows=protocols)
    _replace_rows(models.BudgetLine, portfolio=portfolio, rows=budget)
    _replace_rows(models.TimelineTask, portfolio=portfolio, rows=tasks)
    _view, status = selectors.implementation(portfolio)
    return _record(portfolio=portfolio, step="implementation", status=status, actor=actor)


@transaction.atomic
def save_cycles(
    *, portfolio: Portfolio, rows: Sequence[Row], actor: User, token: str | None = None
) -> StepStatus:
    _claim(portfolio=portfolio, step="monitoring", token=token, actor=actor)
    for number, row in enumerate(rows, start=1):
        _check_span(row.get("started_on"), row.get("reviewed_on"), f"Cycle {number}")
    _replace_rows(models.ReviewCycle, portfolio=portfolio, rows=rows)
    _views, status = selectors.cycles(portfolio)
    return _record(portfolio=portfolio, step="monitoring", status=status, actor=actor)


@transaction.atomic
def save_pitch(*, portfolio: Portfolio, values: Row, actor: User, token: str | None = None) -> StepStatus:
    _claim(portfolio=portfolio, step="pitch", token=token, actor=actor)
    _update_one(models.ChampionPitch, portfolio=portfolio, values=values)
    _row, status = selectors.pitch(portfolio)
    return _record(portfolio=portfolio, step="pitch", status=status, actor=actor)
