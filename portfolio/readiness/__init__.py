"""The readiness check: what an examiner will look for, checked before a learner submits.

``check_portfolio`` runs every rule over one portfolio; ``check_portfolios`` and
``cohort_summary`` do the same for many at a fixed cost in queries (see ``loader``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from portfolio.models import Portfolio
from portfolio.readiness.engine import MUST, SEVERITIES, Finding, Report, Rule, all_rules, run_rules
from portfolio.readiness.loader import QUERY_COUNT, load_many

__all__ = [
    "MUST",
    "QUERY_COUNT",
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
