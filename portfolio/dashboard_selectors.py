"""Reads for the cohort dashboard and the assessor's caseload, a fixed number of queries
whatever the number of learners."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from evidence.models import Evidence
from evidence.sections import Section, all_sections
from evidence.selectors import coverage_for_portfolios
from portfolio import dashboards
from portfolio.models import Cohort, Criterion, Portfolio, PortfolioVersion, QualitySample, User

OVERDUE_REVIEW_DAYS = 14
PAGE_SIZE = 50  # learners per page of the cohort dashboard and the caseload


@dataclass
class Cell:
    criterion: Criterion
    state: str

    @property
    def label(self) -> str:
        return dashboards.CELL_LABELS[self.state]

    @property
    def symbol(self) -> str:
        return dashboards.CELL_SYMBOLS[self.state]

    @property
    def css(self) -> str:
        return dashboards.CELL_CLASSES[self.state]


@dataclass
class LearnerRow:
    portfolio: Portfolio
    steps: list[tuple[Section, str]]
    cells: list[Cell]
    coverage: int
    submission: str
    returned_count: int
    risks: list[str] = field(default_factory=list)

    @property
    def submission_label(self) -> str:
        return dashboards.SUBMISSION_LABELS[self.submission]

    @property
    def steps_complete(self) -> int:
        return sum(1 for _, state in self.steps if state == "complete")


@dataclass
class CriterionSummary:
    criterion: Criterion
    counts: dict[str, int]
    lacking: int  # learners for whom it is neither evidenced nor met


def _versions_by_portfolio(ids: list[int]) -> dict[int, list[tuple[int, datetime, str | None]]]:
    """portfolio id → [(number, submitted_at, outcome kind)] oldest first (one query)."""
    result: dict[int, list] = defaultdict(list)
    rows = (
        PortfolioVersion.objects.filter(portfolio_id__in=ids)
        .order_by("portfolio_id", "number")
        .values_list("portfolio_id", "number", "submitted_at", "outcome__kind")
    )
    for portfolio_id, number, submitted_at, outcome in rows:
        result[portfolio_id].append((number, submitted_at, outcome))
    return result


def _steps_by_portfolio(ids: list[int]) -> dict[int, dict[str, bool]]:
    """portfolio id → {section key: complete} (one query)."""
    result: dict[int, dict[str, bool]] = defaultdict(dict)
    rows = Evidence.objects.filter(portfolio_id__in=ids, kind=Evidence.Kind.SECTION).values_list(
        "portfolio_id", "section_key", "section_complete"
    )
    for portfolio_id, key, complete in rows:
        result[portfolio_id][key] = complete
    return result


def learner_rows(
    portfolios: Iterable[Portfolio], *, rules: dashboards.RiskRules | None = None, now: datetime | None = None
) -> list[LearnerRow]:
    """One row per portfolio (learner and assessor selected already): seven queries in all."""
    portfolios = list(portfolios)
    rules = rules or dashboards.RiskRules()
    now = now or timezone.now()
    ids = [p.pk for p in portfolios]
    coverage = coverage_for_portfolios(portfolios)
    versions = _versions_by_portfolio(ids)
    saved_steps = _steps_by_portfolio(ids)
    sections = all_sections()
    rows = []
    for portfolio in portfolios:
        cells = [
            Cell(c.criterion, dashboards.cell_state(c.status, c.decision))
            for c in coverage[portfolio.pk].criteria
        ]
        saved = saved_steps.get(portfolio.pk, {})
        steps = [
            (s, "empty" if s.key not in saved else ("complete" if saved[s.key] else "in progress"))
            for s in sections
        ]
        history = versions.get(portfolio.pk, [])
        outcome = history[-1][2] if history else None
        submission = dashboards.submission_state(outcome, bool(history))
        returned = sum(1 for _, _, kind in history if kind == dashboards.RETURNED)
        percent = dashboards.coverage_percent([c.state for c in cells])
        row = LearnerRow(portfolio, steps, cells, percent, submission, returned)
        facts = dashboards.LearnerFacts(portfolio.last_activity_at, percent, returned, submission)
        row.risks = dashboards.risks_for(
            facts, start=portfolio.cohort.start_date, end=portfolio.cohort.end_date, now=now, rules=rules
        )
        rows.append(row)
    return rows


def cohort_portfolios(cohort: Cohort) -> QuerySet[Portfolio]:
    return cohort.portfolios.select_related("learner", "assessor", "cohort").order_by(
        "learner__last_name", "learner__first_name", "learner__username"
    )


def criterion_summary(rows: list[LearnerRow]) -> list[CriterionSummary]:
    """Per criterion, how many learners are in each state; most lacking first."""
    if not rows:
        return []
    counts: dict[int, Counter] = defaultdict(Counter)
    criteria: dict[int, Criterion] = {}
    for row in rows:
        for cell in row.cells:
            counts[cell.criterion.pk][cell.state] += 1
            criteria.setdefault(cell.criterion.pk, cell.criterion)
    summary = [
        CriterionSummary(
            criterion=criteria[pk],
            counts={state: counter.get(state, 0) for state in dashboards.CELL_STATES},
            lacking=sum(n for state, n in counter.items() if state not in dashboards.COVERED),
        )
        for pk, counter in counts.items()
    ]
    order = {pk: i for i, pk in enumerate(criteria)}
    return sorted(summary, key=lambda s: (-s.lacking, order[s.criterion.pk]))


# --- The assessor's caseload --------------------------------------------------------------


@dataclass
class QueueItem:
    version: PortfolioVersion
    waiting_days: int

    @property
    def overdue(self) -> bool:
        return self.waiting_days > OVERDUE_REVIEW_DAYS


def review_queue(user: User, *, now: datetime | None = None) -> list[QueueItem]:
    """Versions waiting for this assessor, oldest first, with days waiting (one query)."""
    now = now or timezone.now()
    versions = (
        PortfolioVersion.objects.filter(portfolio__assessor=user, outcome__isnull=True)
        .select_related("portfolio__learner", "portfolio__cohort")
        .defer("snapshot")
        .order_by("submitted_at")
    )
    return [QueueItem(v, max((now - v.submitted_at) // timedelta(days=1), 0)) for v in versions]


def open_qa_actions(user: User) -> QuerySet[QualitySample]:
    return QualitySample.objects.filter(
        decision__assessor=user, finding=QualitySample.Finding.ACTION, responded_at__isnull=True
    ).select_related("decision__criterion__framework", "decision__version__portfolio__learner", "sampled_by")
