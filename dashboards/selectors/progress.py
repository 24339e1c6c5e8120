"""The cohort's progress over time."""

from __future__ import annotations

from django.utils import timezone

from core.models import Cohort
from core.selectors import criteria_for_cohort
from dashboards import facts as dashboard_facts
from dashboards import figures as dashboards

# --- Progress over time -------------------------------------------------------------------


def cohort_progress(cohort: Cohort) -> tuple[list[dashboards.ProgressPoint], int]:
    """The cohort's progress week by week up to today (``dashboards.progress_over_time``) and
    how many learners it covers. The database finds when each learner first evidenced each
    criterion and counts, per learner, how many of those fall before each point; Python
    takes the quartiles of those counts (``dashboards.progress_from_counts``). Three
    queries (the criteria, the learners, the counts), four for a cohort without a start date."""
    today, tz = timezone.localdate(), timezone.get_current_timezone()
    criterion_ids = list(criteria_for_cohort(cohort).values_list("pk", flat=True))
    learners = cohort.portfolios.count()
    if not learners or not criterion_ids:
        return [], learners
    first = cohort.start_date
    if first is None:
        earliest = dashboard_facts.earliest_evidenced(cohort.pk, criterion_ids)
        first = earliest.astimezone(tz).date() if earliest else None
    if first is None or first > today:
        return [], learners
    days = dashboards.progress_dates(first, today)
    cutoffs = [int(cutoff.timestamp()) for cutoff in dashboards.progress_cutoffs(days, tz)]
    points = dashboards.progress_from_counts(
        dashboard_facts.counts_before(cohort.pk, criterion_ids, cutoffs),
        learners=learners,
        total_criteria=len(criterion_ids),
        days=days,
        start=cohort.start_date,
        end=cohort.end_date,
    )
    return points, learners
