"""Reads for the cohort dashboard and the assessor's caseload, a fixed number of queries
whatever the number of learners.

The reads live in the package's modules: ``rows`` (a learner's row), ``paging`` (the counts
and the page the cohort dashboard and the caseload share), ``cohort`` (the cohort
dashboard), ``progress`` (progress over time) and ``caseload`` (the assessor's caseload and
review queue). ``PAGE_SIZE`` is read from ``paging``, its one definition, not from here.
"""

from __future__ import annotations

from dashboards.selectors.caseload import (
    OVERDUE_REVIEW_DAYS,
    QUEUE_SHOWN,
    Caseload,
    QueueCounts,
    QueueItem,
    caseload,
    open_qa_actions,
    overdue_cutoff,
    queue_counts,
    review_queue,
)
from dashboards.selectors.cohort import (
    NAME_ORDER,
    READ_ORDER,
    SORT_ORDERS,
    CohortDashboard,
    CohortFigures,
    CriterionSummary,
    cohort_assessors,
    cohort_dashboard,
    cohort_portfolios,
    criterion_summary,
    learner_filter,
    shown_portfolios,
)
from dashboards.selectors.progress import cohort_progress
from dashboards.selectors.rows import ROW_FIELDS, LearnerRow, RowBuilder, learner_rows, streamed_rows

__all__ = [
    "NAME_ORDER",
    "OVERDUE_REVIEW_DAYS",
    "QUEUE_SHOWN",
    "READ_ORDER",
    "ROW_FIELDS",
    "SORT_ORDERS",
    "Caseload",
    "CohortDashboard",
    "CohortFigures",
    "CriterionSummary",
    "LearnerRow",
    "QueueCounts",
    "QueueItem",
    "RowBuilder",
    "caseload",
    "cohort_assessors",
    "cohort_dashboard",
    "cohort_portfolios",
    "cohort_progress",
    "criterion_summary",
    "learner_filter",
    "learner_rows",
    "open_qa_actions",
    "overdue_cutoff",
    "queue_counts",
    "review_queue",
    "shown_portfolios",
    "streamed_rows",
]
