"""Reads for the cohort dashboard and the assessor's caseload, a fixed number of queries
whatever the number of learners."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from evidence.models import Evidence
from evidence.sections import Section, all_sections
from evidence.selectors import NO_TALLY, PortfolioTally, cohort_criteria, coverage_tallies
from portfolio import dashboards
from portfolio.assessment_selectors import latest_decision_statuses, waiting_for_review, waiting_label
from portfolio.models import Cohort, Criterion, Portfolio, PortfolioVersion, QualitySample, User
from portfolio.selectors import assessor_caseload

OVERDUE_REVIEW_DAYS = 14
PAGE_SIZE = 50  # learners per page of the cohort dashboard and the caseload, versions of the queue
QUEUE_SHOWN = 10  # waiting versions on the caseload; the queue page has them all


@dataclass
class LearnerRow:
    """One learner on a dashboard. States are plain strings in the order of ``criteria`` and of
    ``all_sections()``: a cohort of 500 has 22,500 cells, and objects per cell cost more than
    the page's whole budget."""

    portfolio: Portfolio
    criteria: list[Criterion]  # the cohort's criteria, one list shared by its rows
    states: list[str]  # heat-map state per criterion
    step_states: list[str]  # "empty", "in progress" or "complete" per guided step
    coverage: int
    submission: str
    returned_count: int
    risks: list[str] = field(default_factory=list)

    @property
    def submission_label(self) -> str:
        return dashboards.SUBMISSION_LABELS[self.submission]

    @property
    def steps(self) -> list[tuple[Section, str]]:
        return list(zip(all_sections(), self.step_states, strict=True))

    @property
    def steps_complete(self) -> int:
        return self.step_states.count("complete")


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


def _cell_states(
    criterion_ids: tuple[int, ...],
    tally: PortfolioTally,
    decisions: dict[int, dict[int, str]],
    portfolio_id: int,
) -> list[str]:
    """Each criterion's heat-map state: the assessor's decision wins over the evidence."""
    statuses = tally.statuses(criterion_ids)
    if portfolio_id not in decisions:  # most learners have no decision yet: nothing to overlay
        return statuses
    return [
        dashboards.cell_state(status, decisions[portfolio_id].get(pk))
        for pk, status in zip(criterion_ids, statuses, strict=True)
    ]


def _step_states(saved: dict[str, bool], keys: list[str]) -> list[str]:
    return ["empty" if k not in saved else ("complete" if saved[k] else "in progress") for k in keys]


def learner_rows(
    portfolios: Iterable[Portfolio],
    *,
    rules: dashboards.RiskRules | None = None,
    now: datetime | None = None,
) -> list[LearnerRow]:
    """One row per portfolio (learner and assessor selected already): six queries in all
    (criteria in two, coverage tallies, decisions, versions, steps)."""
    portfolios = list(portfolios)
    rules = rules or dashboards.RiskRules()
    now = now or timezone.now()
    ids = [p.pk for p in portfolios]
    if not ids:
        return []
    criteria_by_cohort = cohort_criteria({p.cohort_id for p in portfolios})
    tallies = coverage_tallies(ids)
    decisions: dict[int, dict[int, str]] = defaultdict(dict)
    for (portfolio_id, criterion_id), status in latest_decision_statuses(ids).items():
        decisions[portfolio_id][criterion_id] = status
    versions = _versions_by_portfolio(ids)
    saved_steps = _steps_by_portfolio(ids)
    section_keys = [s.key for s in all_sections()]
    ids_by_cohort = {cohort: tuple(c.pk for c in criteria) for cohort, criteria in criteria_by_cohort.items()}
    rows = []
    for portfolio in portfolios:
        criteria = criteria_by_cohort.get(portfolio.cohort_id, [])
        tally = tallies.get(portfolio.pk, NO_TALLY)
        states = _cell_states(ids_by_cohort.get(portfolio.cohort_id, ()), tally, decisions, portfolio.pk)
        step_states = _step_states(saved_steps.get(portfolio.pk, {}), section_keys)
        history = versions.get(portfolio.pk, [])
        outcome = history[-1][2] if history else None
        submission = dashboards.submission_state(outcome, bool(history))
        returned = sum(1 for _, _, kind in history if kind == dashboards.RETURNED)
        percent = dashboards.coverage_percent(states)
        row = LearnerRow(portfolio, criteria, states, step_states, percent, submission, returned)
        facts = dashboards.LearnerFacts(portfolio.last_activity_at, percent, returned, submission)
        row.risks = dashboards.risks_for(
            facts, start=portfolio.cohort.start_date, end=portfolio.cohort.end_date, now=now, rules=rules
        )
        rows.append(row)
    return rows


@dataclass(frozen=True)
class ProgressFacts:
    # For each learner now in the cohort, when each criterion they have evidenced today was
    # first evidenced (see ``PortfolioTally.evidenced_since``), oldest first.
    evidenced_at: list[list[datetime]]
    criteria_count: int


def cohort_progress_facts(cohort: Cohort) -> ProgressFacts:
    """What the progress chart needs, in four queries: the cohort's portfolios, its criteria
    (two) and the dated coverage tallies."""
    ids = list(cohort.portfolios.order_by("pk").values_list("pk", flat=True))
    criteria = cohort_criteria([cohort.pk]).get(cohort.pk, [])
    wanted = {c.pk for c in criteria}
    tallies = coverage_tallies(ids, with_dates=True)
    evidenced_at = [
        sorted(at for pk, at in tallies.get(i, NO_TALLY).evidenced_since.items() if pk in wanted) for i in ids
    ]
    return ProgressFacts(evidenced_at, len(criteria))


def cohort_progress(cohort: Cohort) -> tuple[list[dashboards.ProgressPoint], int]:
    """The cohort's progress week by week up to today (``dashboards.progress_over_time``) and
    how many learners it covers, in the four queries of ``cohort_progress_facts``."""
    facts = cohort_progress_facts(cohort)
    points = dashboards.progress_over_time(
        facts.evidenced_at,
        total_criteria=facts.criteria_count,
        start=cohort.start_date,
        end=cohort.end_date,
        today=timezone.localdate(),
        tz=timezone.get_current_timezone(),
    )
    return points, len(facts.evidenced_at)


# What a dashboard row shows of a portfolio, its learner, assessor and cohort. Loading whole
# users for 500 learners took more time than counting their coverage.
_PEOPLE = ("first_name", "last_name", "username")
ROW_FIELDS = (
    "cohort_id",
    "learner_id",
    "assessor_id",
    "last_activity_at",
    *(f"learner__{name}" for name in _PEOPLE),
    *(f"assessor__{name}" for name in _PEOPLE),
    "cohort__name",
    "cohort__start_date",
    "cohort__end_date",
)


def cohort_portfolios(cohort: Cohort) -> QuerySet[Portfolio]:
    return (
        cohort.portfolios.select_related("learner", "assessor", "cohort")
        .only(*ROW_FIELDS)
        .order_by("learner__last_name", "learner__first_name", "learner__username")
    )


def caseload_portfolios(user: User) -> QuerySet[Portfolio]:
    return assessor_caseload(user).only(*ROW_FIELDS)


def criterion_summary(rows: list[LearnerRow]) -> list[CriterionSummary]:
    """Per criterion, how many learners are in each state; most lacking first."""
    if not rows:
        return []
    criteria = rows[0].criteria
    summary = []
    # Column by column: every row of a cohort has the same criteria in the same order.
    for criterion, column in zip(criteria, zip(*(row.states for row in rows), strict=True), strict=True):
        counter = Counter(column)
        summary.append(
            CriterionSummary(
                criterion=criterion,
                counts={state: counter.get(state, 0) for state in dashboards.CELL_STATES},
                lacking=sum(n for state, n in counter.items() if state not in dashboards.COVERED),
            )
        )
    order = {c.pk: i for i, c in enumerate(criteria)}
    return sorted(summary, key=lambda s: (-s.lacking, order[s.criterion.pk]))


# --- The assessor's caseload --------------------------------------------------------------


@dataclass
class QueueItem:
    version: PortfolioVersion
    waiting_days: int
    waiting: str  # in words, as every queue writes it: "under an hour", "5 hours", "3 days"

    @property
    def overdue(self) -> bool:
        return self.waiting_days > OVERDUE_REVIEW_DAYS

    @classmethod
    def of(cls, version: PortfolioVersion, now: datetime) -> QueueItem:
        return cls(
            version,
            max((now - version.submitted_at) // timedelta(days=1), 0),
            waiting_label(version.submitted_at, now),
        )


@dataclass(frozen=True)
class QueueCounts:
    total: int
    overdue: int


def overdue_cutoff(now: datetime) -> datetime:
    """A version submitted at or before this moment is overdue: it has waited more than
    ``OVERDUE_REVIEW_DAYS`` whole days, as ``QueueItem.overdue`` counts them."""
    return now - timedelta(days=OVERDUE_REVIEW_DAYS + 1)


def queue_counts(user: User, *, now: datetime | None = None) -> QueueCounts:
    """How many versions wait for this assessor and how many of them are overdue, counted by
    the database (one query)."""
    now = now or timezone.now()
    counts = waiting_for_review(user).aggregate(
        total=Count("pk"), overdue=Count("pk", filter=Q(submitted_at__lte=overdue_cutoff(now)))
    )
    return QueueCounts(total=counts["total"], overdue=counts["overdue"])


def review_queue(user: User, *, now: datetime | None = None, limit: int = QUEUE_SHOWN) -> list[QueueItem]:
    """The ``limit`` versions waiting longest for this assessor, oldest (so overdue) first,
    with days waiting (one query). The queue page lists them all, a page at a time."""
    now = now or timezone.now()
    versions = (
        waiting_for_review(user).select_related("portfolio__learner", "portfolio__cohort").defer("snapshot")
    )[:limit]
    return [QueueItem.of(v, now) for v in versions]


def open_qa_actions(user: User) -> QuerySet[QualitySample]:
    return QualitySample.objects.filter(
        decision__assessor=user, finding=QualitySample.Finding.ACTION, responded_at__isnull=True
    ).select_related("decision__criterion__framework", "decision__version__portfolio__learner", "sampled_by")
