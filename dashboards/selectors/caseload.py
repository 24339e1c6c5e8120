"""Reads for the assessor: the caseload and the versions waiting for review."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.paginator import Page
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from assessment.selectors import waiting_for_review, waiting_label
from core.models import Cohort, PortfolioVersion, QualitySample, User
from core.selectors import assessor_caseload, criteria_for_cohorts
from dashboards import facts as dashboard_facts
from dashboards import figures as dashboards
from dashboards import masks
from dashboards.selectors.paging import _counted, _page
from dashboards.selectors.rows import ROW_FIELDS, LearnerRow, RowBuilder

OVERDUE_REVIEW_DAYS = 14
QUEUE_SHOWN = 10  # waiting versions on the caseload; the queue page has them all


# --- The assessor's caseload --------------------------------------------------------------


@dataclass
class Caseload:
    learner_count: int
    at_risk_count: int
    page: Page  # its object_list: the LearnerRows of the page shown


def caseload(
    user: User, *, page: object, rules: dashboards.RiskRules | None = None, now: datetime | None = None
) -> Caseload:
    """The assessor's learners, counted (and those at risk) by the database, with the rows of
    the page shown, in five queries: the cohorts, the counts, their criteria (two), the page."""
    rules, now = rules or dashboards.RiskRules(), now or timezone.now()
    portfolios = assessor_caseload(user)
    cohorts = Cohort.objects.filter(pk__in=portfolios.values("cohort_id")).annotate(
        criteria_count=Count("frameworks__criteria")
    )
    calendars = [
        dashboard_facts.CohortCalendar(c.pk, c.criteria_count, c.start_date, c.end_date) for c in cohorts
    ]

    terms = dashboard_facts.risk_terms(calendars, rules=rules, now=now)
    criteria = criteria_for_cohorts([c.pk for c in calendars]) if calendars else {}
    layout = masks.Layout({pk: [c.pk for c in cs] for pk, cs in criteria.items()})
    tally = _counted(portfolios, calendars, terms, layout=layout, condition=Q(), risk_only=False)
    build = RowBuilder(criteria, rules, now)
    order = (*portfolios.query.order_by, "pk")

    def rows(page_ids: QuerySet) -> list[LearnerRow]:
        shown = dashboard_facts.with_row_facts(
            dashboard_facts.with_submission(assessor_caseload(user).filter(pk__in=page_ids).only(*ROW_FIELDS))
        )
        return [build(p) for p in shown.order_by(*order)]

    shown = _page(portfolios.order_by(*order), tally.total, page, rows)
    return Caseload(tally.total, tally.at_risk, shown)


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
    return (
        QualitySample.objects.filter(
            decision__assessor=user, finding=QualitySample.Finding.ACTION, responded_at__isnull=True
        )
        .select_related(
            "decision__criterion__framework", "decision__version__portfolio__learner", "sampled_by"
        )
        .defer("decision__version__snapshot")
    )
