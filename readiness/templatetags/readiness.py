"""``{% step_findings portfolio "audit.presence" %}``: a step's readiness findings on its page.

The findings are fetched after the page loads (htmx), so a step page keeps its own
fixed query count and the readiness batch runs only once the learner is reading it.
"""

from __future__ import annotations

from collections.abc import Iterable

from django import template
from django.urls import reverse

from core.models import Portfolio
from readiness.checks import RuleCount
from readiness.engine import Finding

register = template.Library()


@register.inclusion_tag("portfolio/readiness/_step_slot.html")
def step_findings(portfolio: Portfolio, key: str) -> dict[str, str]:
    return {
        "url": reverse("portfolio:readiness_step", kwargs={"portfolio_pk": portfolio.pk, "key": key}),
        "checklist_url": reverse("portfolio:readiness", kwargs={"portfolio_pk": portfolio.pk}),
    }


@register.filter
def failed_only(findings: Iterable[Finding]) -> list[Finding]:
    return [finding for finding in findings if not finding.passed]


@register.filter
def with_failures(counts: Iterable[RuleCount]) -> list[RuleCount]:
    """The rules of a cohort summary that at least one learner still fails."""
    return [count for count in counts if count.failing]
