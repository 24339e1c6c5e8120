"""The readiness check: what an examiner will look for, checked before a learner submits.

``check_portfolio`` runs every rule over one portfolio; ``check_portfolios`` and
``cohort_summary`` do the same for many at a fixed cost in queries (see ``loader``).
The rules themselves live with the content they read (``evidence/readiness.py``,
``audit/readiness.py``, ``strategy/readiness.py``) and register in ``core.rules``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from core.models import Portfolio
from core.rules import MUST, SEVERITIES, Rule, all_rules
from readiness.engine import Finding, Report, run_rules
from readiness.loader import load_many, query_count

__all__ = [
    "MUST",
    "SEVERITIES",
    "Finding",
    "Report",
    "Rule",
    "RuleCount",
    "all_rules",
    "check_portfolio",
    "check_portfolios",
    "checklist_context",
    "cohort_summary",
]


def __getattr__(name: str) -> int:
    # QUERY_COUNT is the registered loaders' cost, known once the apps have registered them.
    if name == "QUERY_COUNT":
        return query_count()
    raise AttributeError(name)


def check_portfolios(portfolios: Iterable[Portfolio]) -> dict[int, Report]:
    rules = all_rules()
    return {pk: run_rules(data, rules) for pk, data in load_many(portfolios).items()}


def check_portfolio(portfolio: Portfolio) -> Report:
    """Every rule's finding for one portfolio, in ``QUERY_COUNT`` queries."""
    return check_portfolios([portfolio])[portfolio.pk]


def checklist_context(portfolio: Portfolio) -> dict[str, object]:
    """What ``portfolio/readiness/_checklist.html`` needs, for any page that includes it."""
    report = check_portfolio(portfolio)
    return {"portfolio": portfolio, "readiness": report, "readiness_groups": report.by_severity()}


@dataclass(frozen=True)
class RuleCount:
    rule: Rule
    failing: int
    total: int


def cohort_summary(portfolios: Iterable[Portfolio]) -> list[RuleCount]:
    """For each rule, how many of these learners still fail it; most common first within severity."""
    reports = check_portfolios(portfolios)
    counts = []
    for rule in all_rules():
        failing = sum(
            1 for report in reports.values() for f in report.findings if f.rule.id == rule.id and not f.passed
        )
        counts.append(RuleCount(rule=rule, failing=failing, total=len(reports)))
    order = {s: i for i, s in enumerate(SEVERITIES)}
    return sorted(counts, key=lambda c: (order[c.rule.severity], -c.failing, c.rule.order))
