"""What the dashboards know of each learner, worked out by the database.

The cohort dashboard counts, filters and sorts thousands of learners but shows fifty. Each
figure it needs of every learner (criteria covered, submission state, times returned, how
many risks) is an expression here, added to a queryset of portfolios with ``alias`` so that
the database computes it only where a query uses it: in an aggregate over the cohort, in a
filter, in the ordering of the page. The same rules as ``dashboards.figures`` (pure
Python, used for the rows shown), written in SQL; ``tests/portfolio/test_dashboard_facts.py``
checks that both agree on every learner.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from django.db import connection
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    StringAgg,
    Subquery,
    Sum,
    TextField,
    Value,
    When,
)
from django.db.models.expressions import Combinable
from django.db.models.functions import Cast, Coalesce, Concat

from core.models import CriterionDecision, Portfolio, PortfolioVersion
from dashboards import figures as dashboards
from evidence.selectors import (
    coverage_tokens,
    evidencing_mappings,
    first_evidenced_cells,
    saved_steps,
)

MET = CriterionDecision.Status.MET
NOT_YET_MET = CriterionDecision.Status.NOT_YET_MET


def standing_decisions() -> QuerySet[CriterionDecision]:
    """For each learner and criterion, the standing decision of the latest version that has
    one: the decision ``latest_decision_statuses`` keeps, picked by the database."""
    later = CriterionDecision.objects.filter(
        criterion_id=OuterRef("criterion_id"),
        version__portfolio_id=OuterRef("version__portfolio_id"),
        version__number__gt=OuterRef("version__number"),
        superseded_by__isnull=True,
    )
    return CriterionDecision.objects.filter(superseded_by__isnull=True).filter(~Exists(later))


def among(criterion_ids: Sequence[int]) -> Q:
    """Rows whose criterion is one of these, on a queryset with ``criterion_number``
    (``numbered``). The number is the criterion id plus nothing: a condition on the column
    itself lets SQLite read the mappings through the criterion index, criterion by
    criterion, jumping all over the table instead of reading a learner's rows together."""
    return Q(criterion_number__in=list(criterion_ids))


def numbered(queryset: QuerySet) -> QuerySet:
    return queryset.alias(criterion_number=F("criterion_id") + 0)


def mappings_for_decision(mappings: QuerySet) -> QuerySet:
    """The mappings of the outer decision's learner and criterion, found through the
    learner's evidence (a few rows) rather than the criterion's (every learner's)."""
    return numbered(mappings).filter(
        evidence__portfolio_id=OuterRef("version__portfolio_id"), criterion_number=OuterRef("criterion_id")
    )


def _of_cohort(queryset: QuerySet, criterion_ids: Sequence[int] | None) -> QuerySet:
    """The rows about the outer portfolio's cohort's criteria: the ids when the cohort is
    known (one cohort, no join), else through the cohort's frameworks."""
    if criterion_ids is not None:
        return numbered(queryset).filter(among(criterion_ids))
    return queryset.filter(criterion__framework__cohorts=OuterRef("cohort_id"))


def covered_count(criterion_ids: Sequence[int] | None = None) -> Combinable:
    """How many of the cohort's criteria the outer portfolio has evidenced or been judged
    to meet (``dashboards.COVERED``): the criteria evidenced, plus those met without
    evidence, less those evidenced but judged not yet met."""
    evidenced = (
        _of_cohort(evidencing_mappings(), criterion_ids)
        .filter(evidence__portfolio_id=OuterRef("pk"))
        .order_by()
        .values("evidence__portfolio_id")
        .annotate(n=Count("criterion_id", distinct=True))
        .values("n")
    )
    has_evidence = mappings_for_decision(evidencing_mappings())
    overridden = (
        _of_cohort(standing_decisions(), criterion_ids)
        .filter(version__portfolio_id=OuterRef("pk"))
        .alias(evidenced=Exists(has_evidence))
        .order_by()
        .values("version__portfolio_id")
        .annotate(
            n=Sum(
                Case(
                    When(status=MET, evidenced=False, then=Value(1)),
                    When(status=NOT_YET_MET, evidenced=True, then=Value(-1)),
                    default=Value(0),
                )
            )
        )
        .values("n")
    )
    return Coalesce(Subquery(evidenced, output_field=IntegerField()), 0) + Coalesce(
        Subquery(overridden, output_field=IntegerField()), 0
    )


def with_submission(portfolios: QuerySet[Portfolio], *, select: bool = False) -> QuerySet[Portfolio]:
    """Aliases ``submission`` (``dashboards.submission_state`` of the latest version) and
    ``returned_count`` (versions returned for resubmission); annotates them with ``select``."""
    versions = PortfolioVersion.objects.filter(portfolio_id=OuterRef("pk"))
    returned = (
        versions.filter(outcome__kind=dashboards.RETURNED)
        .order_by()
        .values("portfolio_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    portfolios = portfolios.alias(
        has_version=Exists(versions),
        latest_outcome=Subquery(versions.order_by("-number").values("outcome__kind")[:1]),
    )
    return (portfolios.annotate if select else portfolios.alias)(
        returned_count=Coalesce(Subquery(returned, output_field=IntegerField()), 0),
        submission=Case(
            When(has_version=False, then=Value(dashboards.NOT_SUBMITTED)),
            When(latest_outcome__isnull=True, then=Value(dashboards.AWAITING_REVIEW)),
            When(latest_outcome=dashboards.SIGNED_OFF, then=Value(dashboards.SIGNED_OFF)),
            default=Value(dashboards.RETURNED),
            output_field=CharField(),
        ),
    )


@dataclass(frozen=True)
class CohortCalendar:
    """What the risk rules need of a cohort besides its learners."""

    pk: int
    criteria_count: int
    start: date | None
    end: date | None


def _first_covered_enough(criteria_count: int, least: int) -> int:
    """The fewest criteria covered whose share (``dashboards.coverage_share``) is at least
    ``least`` %; one more than the criteria when no share is."""
    for covered in range(criteria_count + 1):
        if dashboards.coverage_share(covered, criteria_count) >= least:
            return covered
    return criteria_count + 1


@dataclass(frozen=True)
class RiskTerms:
    """``dashboards.risks_for``'s reasons as conditions on a portfolio with the ``covered``,
    ``submission`` and ``returned_count`` aliases or annotations: ``others`` are the reasons
    besides coverage; coverage is behind in a cohort below ``enough[cohort id]`` criteria
    covered (no entry: the cohort's calendar expects nothing)."""

    others: list[Q]
    enough: dict[int, int]

    @property
    def any_other(self) -> Q:
        condition = Q(pk__in=[])
        for reason in self.others:
            condition |= reason
        return condition

    @property
    def behind(self) -> list[Q]:
        return [Q(cohort_id=pk, covered__lt=enough) for pk, enough in self.enough.items()]


NOT_SIGNED_OFF = ~Q(submission=dashboards.SIGNED_OFF)


def risk_terms(
    calendars: Sequence[CohortCalendar], *, rules: dashboards.RiskRules, now: datetime
) -> RiskTerms:
    enough, overdue = {}, []
    for calendar in calendars:
        expected = dashboards.expected_coverage(calendar.start, calendar.end, now.date())
        if expected is not None:
            enough[calendar.pk] = _first_covered_enough(
                calendar.criteria_count, expected - rules.behind_margin
            )
        if calendar.end is not None and now.date() > calendar.end:
            overdue.append(calendar.pk)
    others = [
        Q(last_activity_at__lte=now - timedelta(days=rules.inactive_days)),
        Q(returned_count__gt=rules.max_returns),
    ]
    if overdue:
        others.append(
            Q(cohort_id__in=overdue, submission__in=[dashboards.NOT_SUBMITTED, dashboards.RETURNED])
        )
    return RiskTerms(others, enough)


def at_risk(calendars: Sequence[CohortCalendar], *, rules: dashboards.RiskRules, now: datetime) -> Q:
    """Whether any of ``dashboards.risks_for``'s reasons holds (never once signed off)."""
    terms = risk_terms(calendars, rules=rules, now=now)
    condition = terms.any_other
    for behind in terms.behind:
        condition |= behind
    return NOT_SIGNED_OFF & condition


def risk_count(calendars: Sequence[CohortCalendar], *, rules: dashboards.RiskRules, now: datetime) -> Case:
    """How many of ``dashboards.risks_for``'s reasons hold; 0 once signed off."""
    terms = risk_terms(calendars, rules=rules, now=now)
    total: Combinable = Value(0)
    for reason in [*terms.others, *terms.behind]:
        total = total + Case(When(reason, then=Value(1)), default=Value(0))
    return Case(
        When(submission=dashboards.SIGNED_OFF, then=Value(0)), default=total, output_field=IntegerField()
    )


def coverage_percent(criteria_count: int) -> Case:
    """``dashboards.coverage_share`` of the ``covered`` alias, exactly as Python rounds it."""
    return Case(
        *(
            When(covered=n, then=Value(dashboards.coverage_share(n, criteria_count)))
            for n in range(criteria_count + 1)
        ),
        default=Value(0),
        output_field=IntegerField(),
    )


def covered_bands(criteria_count: int) -> list[tuple[int, int]]:
    """For each tenth of coverage (the last one 90–100 %), the range of criteria covered that
    falls in it, as (first, last + 1)."""
    bands = [[criteria_count + 1, 0] for _ in range(10)]
    for n in range(criteria_count + 1):
        band = bands[min(dashboards.coverage_share(n, criteria_count) // 10, 9)]
        band[0], band[1] = min(band[0], n), max(band[1], n + 1)
    return [(low, high) for low, high in bands]


def with_row_facts(portfolios: QuerySet[Portfolio], *, cells: bool = True) -> QuerySet[Portfolio]:
    """Annotates what a row shows beyond the portfolio: ``tokens`` (``coverage_tokens``),
    ``decided`` ("criterion:status" of each standing decision), ``saved_steps``
    ("section key:1" complete, ":0" in progress), ``submission_state`` and ``returned``.
    Each is a subquery per portfolio: use on a page of portfolios or a stream of them, with
    ``with_submission``'s aliases already added. Without ``cells``, neither ``tokens`` nor
    ``decided``: a stream that reads the criteria's states from ``masks.in_order``."""
    decided = (
        standing_decisions()
        .filter(version__portfolio_id=OuterRef("pk"))
        .order_by()
        .values("version__portfolio_id")
        .annotate(
            pairs=StringAgg(
                Concat(Cast("criterion_id", CharField()), Value(":"), "status", output_field=CharField()),
                Value(","),
            )
        )
        .values("pairs")
    )
    if cells:
        portfolios = portfolios.annotate(
            tokens=coverage_tokens(OuterRef("pk")), decided=Subquery(decided, output_field=TextField())
        )
    return portfolios.annotate(
        saved_steps=Subquery(saved_steps(OuterRef("pk")), output_field=TextField()),
        submission_state=F("submission"),
        returned=F("returned_count"),
    )


# --- Progress over time -------------------------------------------------------------------


def earliest_evidenced(cohort_id: int, criterion_ids: Sequence[int]) -> datetime | None:
    """When the first of the cohort's criteria was first evidenced by anyone (one query)."""
    cells, params = first_evidenced_cells(cohort_id, criterion_ids)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MIN(cells.first_at) FROM ({cells}) cells", params)  # noqa: S608 (our own SQL)
        seconds = cursor.fetchone()[0]
    return None if seconds is None else datetime.fromtimestamp(seconds, UTC)


def counts_before(
    cohort_id: int, criterion_ids: Sequence[int], cutoffs: Sequence[int]
) -> list[tuple[int, int, int]]:
    """(learner's portfolio, point, n): ``n`` of the learner's criteria were first evidenced
    before ``cutoffs[point]`` (seconds since 1970, ascending) but not before the point
    ahead of it. One query: the first time of each learner's criterion
    (``evidence.selectors.first_evidenced_cells``: on PostgreSQL a table the database keeps,
    one row per learner and criterion), grouped by the point it first counts at. Criteria
    first evidenced after the last cutoff are left out.

    The grouping runs over the cells' rows, which the ORM cannot say, so the outer query is
    written here around the cells' own SQL."""
    inner, params = first_evidenced_cells(cohort_id, criterion_ids)
    point = " ".join(f"WHEN cells.first_at < %s THEN {n}" for n in range(len(cutoffs)))
    # Only numbers are written into the text; the cutoffs and the inner query's values are parameters.
    sql = (
        f"SELECT learner, point, COUNT(*) FROM (SELECT cells.learner AS learner, CASE {point} "  # noqa: S608
        f"ELSE {len(cutoffs)} END AS point FROM ({inner}) cells) points "
        f"WHERE point < {len(cutoffs)} GROUP BY learner, point"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*cutoffs, *params])  # in the order they stand in the text
        return [tuple(row) for row in cursor.fetchall()]
