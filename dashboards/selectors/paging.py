"""What the cohort dashboard and the caseload share: the learners counted in one
aggregate, and a page of rows built from the page's learners alone.

``PAGE_SIZE`` has its one definition here and is read at call time, here and by the
pages that page other lists (``paging.PAGE_SIZE``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet

from core.models import Portfolio
from dashboards import facts as dashboard_facts
from dashboards import figures as dashboards
from dashboards.selectors.rows import LearnerRow

PAGE_SIZE = 50  # learners per page of the cohort dashboard and the caseload, versions of the queue


def _with_facts(
    portfolios: QuerySet[Portfolio], *, criterion_ids: list[int] | None, select: bool = False
) -> QuerySet[Portfolio]:
    """The portfolios with ``covered``, ``submission`` and ``returned_count``: aliases, or
    selected (``select``) so that an aggregate over them reads each once per learner."""
    portfolios = dashboard_facts.with_submission(portfolios, select=select)
    covered = dashboard_facts.covered_count(criterion_ids)
    return portfolios.annotate(covered=covered) if select else portfolios.alias(covered=covered)


@dataclass
class _Tally:
    """Learners counted per cohort and number of criteria covered (``_counted``)."""

    total: int = 0
    matching: int = 0
    at_risk: int = 0
    coverage_sum: int = 0
    bands: list[int] = field(default_factory=lambda: [0] * 10)


def _counted(
    portfolios: QuerySet[Portfolio],
    calendars: list[dashboard_facts.CohortCalendar],
    terms: dashboard_facts.RiskTerms,
    *,
    condition: Q,
    risk_only: bool,
) -> _Tally:
    """The learners counted in one query, grouped by cohort and criteria covered (a few
    dozen rows): the number covered is worked out once per learner, as the key, and
    whether coverage is behind follows from the key. ``condition`` is the filters bar
    "only at risk" (``risk_only``)."""
    others = dashboard_facts.NOT_SIGNED_OFF & terms.any_other
    not_signed = dashboard_facts.NOT_SIGNED_OFF
    groups = (
        portfolios.order_by()
        .values("cohort_id", "covered")
        .annotate(
            n=Count("pk"),
            not_signed=Count("pk", filter=not_signed),
            others=Count("pk", filter=others),
            matching=Count("pk", filter=condition),
            matching_not_signed=Count("pk", filter=condition & not_signed),
            matching_others=Count("pk", filter=condition & others),
        )
    )
    criteria = {c.pk: c.criteria_count for c in calendars}
    tally = _Tally()
    for group in groups:
        enough = terms.enough.get(group["cohort_id"])
        behind = enough is not None and group["covered"] < enough
        share = dashboards.coverage_share(group["covered"], criteria[group["cohort_id"]])
        tally.total += group["n"]
        tally.at_risk += group["not_signed"] if behind else group["others"]
        if risk_only:
            tally.matching += group["matching_not_signed"] if behind else group["matching_others"]
        else:
            tally.matching += group["matching"]
        tally.coverage_sum += share * group["n"]
        tally.bands[min(share // 10, 9)] += group["n"]
    return tally


def _page(
    ordered: QuerySet[Portfolio], count: int, number: object, rows: Callable[[list[int]], list[LearnerRow]]
) -> Page:
    """The page asked for (the first for nonsense) with its rows built, and only its rows:
    the database orders and slices the learners (``ordered``), and ``rows`` reads the
    page's in one query."""
    paginator = Paginator(ordered.values_list("pk", flat=True), PAGE_SIZE)
    paginator.count = count  # counted already, with the figures
    page = paginator.get_page(number)
    page.object_list = rows(page.object_list) if count else []
    return page
