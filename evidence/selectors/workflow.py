"""How far a portfolio has got through the guided steps."""

from __future__ import annotations

from dataclasses import dataclass

from core.models import Portfolio
from core.sections import Section, all_sections
from evidence.models import Evidence


@dataclass(frozen=True)
class StepState:
    section: Section
    state: str  # "empty", "in progress", "complete"
    url: str


def workflow_steps(portfolio: Portfolio) -> list[StepState]:
    """Every registered step with how far this portfolio has got, in one query."""
    saved = {
        row.section_key: row
        for row in Evidence.objects.filter(portfolio=portfolio, kind=Evidence.Kind.SECTION).only(
            "section_key", "section_complete"
        )
    }
    steps = []
    for section in all_sections():
        row = saved.get(section.key)
        state = "empty" if row is None else ("complete" if row.section_complete else "in progress")
        steps.append(StepState(section=section, state=state, url=section.url(portfolio.pk)))
    return steps
