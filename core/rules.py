"""The readiness rule registry: what each content app checks before a learner submits.

A content app registers two things from its ``readiness.py`` (imported by its
``AppConfig.ready``):

- a **loader** (``register_loader``): for a batch of portfolios, the rows its rules read,
  fetched in a fixed number of queries, as one object per portfolio (its "part");
- its **rules** (``@rule``): plain functions over a ``PortfolioData`` that return what is
  wrong as short details; an empty list means the rule passes. Rules never query.

``PortfolioData`` gives a rule every part's attributes by name (``data.objectives``,
``data.transcripts``), so a rule reads the facts of its own app and, where a criterion
spans apps, of another. The ``readiness`` app (top floor) loads the parts and runs the rules.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import models
from django.urls import NoReverseMatch, reverse

from core.models import Portfolio
from core.sections import get_section

MUST = "must"
SHOULD = "should"
ADVICE = "advice"
SEVERITIES = {MUST: "Must fix", SHOULD: "Should fix", ADVICE: "Advice"}
SEVERITY_ORDER = [MUST, SHOULD, ADVICE]
# Rules are listed in the order a learner works: audit, then strategy, then evidence.
AREA_ORDER = {"audit": 0, "strategy": 1, "evidence": 2}


@dataclass
class PortfolioData:
    """Everything the rules read about one portfolio: each app's loaded part, by app label."""

    portfolio: Portfolio
    today: date
    parts: dict[str, Any] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        # Only called for names that are not fields: look them up in the parts, in order.
        parts = self.__dict__.get("parts", {})
        for part in parts.values():
            if hasattr(part, name):
                return getattr(part, name)
        raise AttributeError(f"No loaded part of the portfolio has {name!r}.")


Check = Callable[[PortfolioData], list[str]]
# For a list of portfolios: each one's part, keyed by the portfolio's pk (every pk present).
LoadPart = Callable[[list[Portfolio]], dict[int, Any]]


@dataclass(frozen=True)
class Loader:
    label: str
    load: LoadPart
    queries: int  # how many queries ``load`` makes, whatever the number of portfolios


_LOADERS: dict[str, Loader] = {}


def register_loader(label: str, load: LoadPart, *, queries: int) -> None:
    """Register what an app's rules read; ``queries`` is its fixed cost (the query-count tests hold it)."""
    existing = _LOADERS.get(label)
    if existing is not None and existing.load is not load:
        raise ValueError(f"A readiness loader for {label!r} is registered twice.")
    _LOADERS[label] = Loader(label=label, load=load, queries=queries)


def all_loaders() -> list[Loader]:
    return list(_LOADERS.values())


def rows_by_portfolio(
    ids: list[int], spec: dict[str, tuple[type[models.Model], bool]], parts: dict[int, Any]
) -> None:
    """Fill each part's attributes from ``spec`` (attribute → (model, many rows?)): one query
    per model, filtered by ``portfolio_id__in``, many-row lists in the model's own order."""
    for attribute, (model, many) in spec.items():
        rows = model._default_manager.filter(portfolio_id__in=ids)
        if many:
            rows = rows.order_by("portfolio_id", *(model._meta.ordering or ()))
        for row in rows:
            target = parts[row.portfolio_id]  # type: ignore[attr-defined]  # every model in spec has one
            if many:
                getattr(target, attribute).append(row)
            else:
                setattr(target, attribute, row)


@dataclass(frozen=True)
class Rule:
    id: str
    message: str  # what the examiner looks for, in plain words, phrased as the thing to do
    severity: str
    criteria: tuple[str, ...]  # "CFACSD22 P2", "CSSMS 2.2"
    fix: str  # a section key ("audit.gaps") or a URL name taking portfolio_pk ("evidence:list")
    check: Check
    order: int = 0

    @property
    def severity_label(self) -> str:
        return SEVERITIES[self.severity]

    @property
    def area(self) -> str:
        """Audit, Strategy or Evidence: the part of the portfolio the rule reads."""
        return self.id.split(".")[0].capitalize()

    @property
    def step_key(self) -> str:
        """The guided step this rule belongs to, or "" when it is fixed elsewhere."""
        return self.fix if "." in self.fix and ":" not in self.fix else ""

    def fix_title(self) -> str:
        if self.step_key:
            try:
                return get_section(self.step_key).title
            except KeyError:
                return self.fix
        return FIX_PAGE_TITLES.get(self.fix, "the page")

    def fix_url(self, portfolio_pk: int) -> str:
        try:
            if self.step_key:
                return get_section(self.step_key).url(portfolio_pk)
            try:
                return reverse(self.fix, kwargs={"portfolio_pk": portfolio_pk})
            except NoReverseMatch:
                return reverse(self.fix, kwargs={"pk": portfolio_pk})
        except (KeyError, NoReverseMatch):
            return ""


FIX_PAGE_TITLES = {
    "evidence:list": "Evidence",
    "evidence:coverage": "Coverage of criteria",
    "audit:data": "Service data",
    "portfolio:portfolio_detail": "Your portfolio's steps",
}

_RULES: dict[str, Rule] = {}


def rule(
    *, id: str, message: str, severity: str, criteria: Iterable[str] = (), fix: str
) -> Callable[[Check], Check]:
    """Register the decorated function as a rule."""
    if severity not in SEVERITIES:
        raise ValueError(f"Unknown severity {severity!r}.")

    def register(check: Check) -> Check:
        if id in _RULES:
            raise ValueError(f"Rule {id!r} is registered twice.")
        _RULES[id] = Rule(
            id=id,
            message=message,
            severity=severity,
            criteria=tuple(criteria),
            fix=fix,
            check=check,
            order=len(_RULES),
        )
        return check

    return register


def all_rules() -> list[Rule]:
    """Every registered rule, in the order of the learner's work (audit, strategy, evidence)."""
    return sorted(_RULES.values(), key=lambda r: (AREA_ORDER.get(r.id.split(".")[0], 9), r.order))


def get_rule(rule_id: str) -> Rule:
    return _RULES[rule_id]


def text(value: Any) -> str:
    """A field's text, stripped; blank for None."""
    return (value or "").strip() if isinstance(value, str) or value is None else str(value)
