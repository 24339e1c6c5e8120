"""What the cohort dashboard and the caseload share: the learners counted in one
aggregate, and a page of rows built from the page's learners alone.

``PAGE_SIZE`` has its one definition here and is read at call time, here and by the
pages that page other lists (``paging.PAGE_SIZE``)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet

from core.models import Portfolio
from dashboards import facts as dashboard_facts
from dashboards import figures as dashboards
from dashboards import masks
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
    # criterion → learners who evidence it, and who map anything to it (``per_criterion``)
    evidenced: Counter[int] = field(default_factory=Counter)
    mapped: Counter[int] = field(default_factory=Counter)


def _counted(
    portfolios: QuerySet[Portfolio],
    calendars: list[dashboard_facts.CohortCalendar],
    terms: dashboard_facts.RiskTerms,
    *,
    layout: masks.Layout,
    condition: Q,
    risk_only: bool,
    per_criterion: bool = False,
) -> _Tally:
    """The learners counted in one query (``masks.counted``), grouped by cohort and criteria
    covered (a few dozen rows): whether coverage is behind follows from the number covered.
    ``condition`` is the filters bar "only at risk" (``risk_only``)."""
    others = dashboard_facts.NOT_SIGNED_OFF & terms.any_other
    not_signed = dashboard_facts.NOT_SIGNED_OFF
    flags = {
        "not_signed": not_signed,
        "others": others,
        "matching": condition,
        "matching_not_signed": condition & not_signed,
        "matching_others": condition & others,
    }
    groups = masks.counted(
        dashboard_facts.with_submission(portfolios), layout, flags=flags, per_criterion=per_criterion
    )
    criteria = {c.pk: c.criteria_count for c in calendars}
    tally = _Tally()
    for group in groups:
        enough = terms.enough.get(group.cohort_id)
        behind = enough is not None and group.covered < enough
        share = dashboards.coverage_share(group.covered, criteria[group.cohort_id])
        counts = group.flags
        tally.total += group.n
        tally.at_risk += counts["not_signed"] if behind else counts["others"]
        if risk_only:
            tally.matching += counts["matching_not_signed"] if behind else counts["matching_others"]
        else:
            tally.matching += counts["matching"]
        tally.coverage_sum += share * group.n
        tally.bands[min(share // 10, 9)] += group.n
        tally.evidenced.update(group.evidenced)
        tally.mapped.update(group.mapped)
    return tally


def _page(
    ordered: QuerySet[Portfolio] | masks.OrderedLearners,
    count: int,
    number: object,
    rows: Callable[[list[int]], list[LearnerRow]],
) -> Page:
    """The page asked for (the first for nonsense) with its rows built, and only its rows:
    the database orders and slices the learners (``ordered``: a queryset, or the ids of
    ``masks.OrderedLearners``), and ``rows`` reads the page's in one query."""
    ids = ordered.values_list("pk", flat=True) if isinstance(ordered, QuerySet) else ordered
    paginator = Paginator(ids, PAGE_SIZE)
    paginator.count = count  # counted already, with the figures
    page = paginator.get_page(number)
    page.object_list = rows(page.object_list) if count else []
    return page
