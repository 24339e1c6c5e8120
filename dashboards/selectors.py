"""Reads for the cohort dashboard and the assessor's caseload, a fixed number of queries
whatever the number of learners."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import (
    Count,
    Exists,
    F,
    Q,
    QuerySet,
)
from django.utils import timezone

from assessment.selectors import waiting_for_review, waiting_label
from core.models import Cohort, Criterion, Portfolio, PortfolioVersion, QualitySample, User
from core.ordering import Casefold
from core.sections import Section, all_sections
from core.selectors import assessor_caseload, criteria_for_cohort, criteria_for_cohorts
from dashboards import facts as dashboard_facts
from dashboards import figures as dashboards
from evidence.models import CriterionMapping
from evidence.selectors import EVIDENCED_SQL, PortfolioTally, TrimWhitespace, tally_of

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


def _cell_states(
    criterion_ids: tuple[int, ...], tally: PortfolioTally, decisions: dict[int, str]
) -> list[str]:
    """Each criterion's heat-map state: the assessor's decision wins over the evidence."""
    statuses = tally.statuses(criterion_ids)
    if not decisions:  # most learners have no decision yet: nothing to overlay
        return statuses
    return [
        dashboards.cell_state(status, decisions.get(pk))
        for pk, status in zip(criterion_ids, statuses, strict=True)
    ]


def _step_states(saved: dict[str, bool], keys: list[str]) -> list[str]:
    return ["empty" if k not in saved else ("complete" if saved[k] else "in progress") for k in keys]


def _pairs(text: str | None) -> Iterator[tuple[str, str]]:
    """ "a:1,b:2" → ("a", "1"), ("b", "2"): what ``dashboard_facts.with_row_facts`` lists."""
    for pair in text.split(",") if text else ():
        key, _, value = pair.rpartition(":")
        yield key, value


@dataclass
class RowBuilder:
    """Makes the ``LearnerRow`` of a portfolio annotated by ``dashboard_facts.with_row_facts``
    (with learner, assessor and cohort selected), by the rules of ``dashboards.figures``."""

    criteria_by_cohort: dict[int, list[Criterion]]
    rules: dashboards.RiskRules = field(default_factory=dashboards.RiskRules)
    now: datetime = field(default_factory=timezone.now)

    def __post_init__(self) -> None:
        self.criterion_ids = {
            cohort: tuple(c.pk for c in cs) for cohort, cs in self.criteria_by_cohort.items()
        }
        self.section_keys = [s.key for s in all_sections()]

    def __call__(self, portfolio: Portfolio) -> LearnerRow:
        decisions = {int(pk): status for pk, status in _pairs(portfolio.decided)}
        states = _cell_states(
            self.criterion_ids.get(portfolio.cohort_id, ()), tally_of(portfolio.tokens), decisions
        )
        saved = {key: flag == "1" for key, flag in _pairs(portfolio.saved_steps)}
        percent = dashboards.coverage_percent(states)
        row = LearnerRow(
            portfolio,
            self.criteria_by_cohort.get(portfolio.cohort_id, []),
            states,
            _step_states(saved, self.section_keys),
            percent,
            portfolio.submission_state,
            portfolio.returned,
        )
        facts = dashboards.LearnerFacts(
            portfolio.last_activity_at, percent, row.returned_count, row.submission
        )
        cohort = portfolio.cohort
        row.risks = dashboards.risks_for(
            facts, start=cohort.start_date, end=cohort.end_date, now=self.now, rules=self.rules
        )
        return row


def learner_rows(
    portfolios: QuerySet[Portfolio],
    *,
    criteria_by_cohort: dict[int, list[Criterion]],
    rules: dashboards.RiskRules | None = None,
    now: datetime | None = None,
    chunk_size: int = 500,
) -> Iterator[LearnerRow]:
    """One row per portfolio of the queryset, in its order, read as a stream in one query
    (each row's evidence, decisions, versions and steps are subqueries of it): memory stays
    the same whatever the number of learners."""
    build = RowBuilder(criteria_by_cohort, rules or dashboards.RiskRules(), now or timezone.now())
    portfolios = dashboard_facts.with_row_facts(dashboard_facts.with_submission(portfolios.only(*ROW_FIELDS)))
    for portfolio in portfolios.iterator(chunk_size):
        yield build(portfolio)


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
# As the cohort page lists them: surname, then first name, then username for a name shared,
# compared as Python compares casefolded text.
NAME_ORDER = (Casefold("learner__last_name"), Casefold("learner__first_name"), "learner__username")
# Ties in the other orders keep the order the learners were read in before sorting.
READ_ORDER = ("learner__last_name", "learner__first_name", "learner__username")
SORT_ORDERS: dict[str, tuple[Any, ...]] = {
    "name": NAME_ORDER,
    "coverage": ("coverage", *READ_ORDER),
    "-coverage": (F("coverage").desc(), *READ_ORDER),
    "activity": ("last_activity_at", *READ_ORDER),
    "-activity": (F("last_activity_at").desc(), *READ_ORDER),
    "risk": (F("risk_count").desc(), *READ_ORDER),
}


def cohort_portfolios(cohort: Cohort) -> QuerySet[Portfolio]:
    """The cohort's portfolios with learner, assessor and cohort, in the order of names."""
    return cohort.portfolios.select_related("learner", "assessor", "cohort").order_by(*NAME_ORDER)


def _with_facts(
    portfolios: QuerySet[Portfolio], *, criterion_ids: list[int] | None, select: bool = False
) -> QuerySet[Portfolio]:
    """The portfolios with ``covered``, ``submission`` and ``returned_count``: aliases, or
    selected (``select``) so that an aggregate over them reads each once per learner."""
    portfolios = dashboard_facts.with_submission(portfolios, select=select)
    covered = dashboard_facts.covered_count(criterion_ids)
    return portfolios.annotate(covered=covered) if select else portfolios.alias(covered=covered)


@dataclass
class CohortFigures:
    total: int
    matching: int  # learners the filters keep
    at_risk: int
    average: int  # coverage, in %
    distribution: list[int]  # learners in each tenth of coverage


@dataclass
class CohortDashboard:
    criteria: list[Criterion]
    figures: CohortFigures
    page: Page  # its object_list: the LearnerRows of the page shown


def learner_filter(chosen: dict[str, str], risky: Q) -> Q:
    """The dashboard's filters (already checked) as a condition on portfolios with
    ``_with_facts``; ``risky`` says who is at risk (``dashboard_facts.at_risk``)."""
    condition = Q()
    if chosen.get("state"):
        condition &= Q(submission=chosen["state"])
    if chosen.get("assessor") == "none":
        condition &= Q(assessor__isnull=True)
    elif chosen.get("assessor"):
        condition &= Q(assessor_id=int(chosen["assessor"]))
    if chosen.get("risk"):
        condition &= risky
    return condition


def cohort_assessors(cohort: Cohort) -> list[User]:
    """The assessors of the cohort's learners, by name (one query)."""
    assessors = User.objects.filter(pk__in=cohort.portfolios.values("assessor_id"))
    return sorted(assessors, key=lambda user: user.display_name)


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


def cohort_dashboard(
    cohort: Cohort,
    *,
    chosen: dict[str, str],
    page: object,
    rules: dashboards.RiskRules,
    now: datetime | None = None,
) -> CohortDashboard:
    """What the cohort page shows of its learners, whatever the cohort's size, in three
    queries: the criteria, the counts (one aggregate) and the page of learners, ordered and
    sliced by the database. ``chosen`` holds filters checked already (``learner_filter``)."""
    now = now or timezone.now()
    criteria = list(criteria_for_cohort(cohort))
    ids = [c.pk for c in criteria]
    calendars = [dashboard_facts.CohortCalendar(cohort.pk, len(criteria), cohort.start_date, cohort.end_date)]
    risky = dashboard_facts.at_risk(calendars, rules=rules, now=now)
    condition = learner_filter(chosen, risky)
    terms = dashboard_facts.risk_terms(calendars, rules=rules, now=now)
    tally = _counted(
        _with_facts(cohort.portfolios.all(), criterion_ids=ids, select=True),
        calendars,
        terms,
        condition=learner_filter({**chosen, "risk": ""}, risky),
        risk_only=bool(chosen.get("risk")),
    )
    figures = CohortFigures(
        total=tally.total,
        matching=tally.matching,
        at_risk=tally.at_risk,
        average=round(tally.coverage_sum / tally.total) if tally.total else 0,
        distribution=tally.bands,
    )
    sort = chosen.get("sort") or "name"
    build = RowBuilder({cohort.pk: criteria}, rules, now)

    def rows(page_ids: QuerySet) -> list[LearnerRow]:
        shown = _with_facts(Portfolio.objects.filter(pk__in=page_ids), criterion_ids=ids)
        shown = dashboard_facts.with_row_facts(
            shown.select_related("learner", "assessor", "cohort").only(*ROW_FIELDS)
        )
        # Ordered again: what the order needs is worked out for the page's rows only.
        return [build(p) for p in _ordered(shown, sort, calendars, rules=rules, now=now)]

    matching = _with_facts(cohort.portfolios.all(), criterion_ids=ids).filter(condition)
    ordered = _ordered(matching, sort, calendars, rules=rules, now=now)
    return CohortDashboard(criteria, figures, _page(ordered, figures.matching, page, rows))


def _ordered(
    portfolios: QuerySet[Portfolio],
    sort: str,
    calendars: list[dashboard_facts.CohortCalendar],
    *,
    rules: dashboards.RiskRules,
    now: datetime,
) -> QuerySet[Portfolio]:
    """``portfolios`` (with ``_with_facts``) in the dashboard's ``sort`` order."""
    if sort in ("coverage", "-coverage"):
        # The number covered orders as the share does: ``coverage_share`` grows with it
        # (two numbers share a percentage only past a hundred criteria).
        portfolios = portfolios.alias(coverage=F("covered"))
    if sort == "risk":
        portfolios = portfolios.alias(risk_count=dashboard_facts.risk_count(calendars, rules=rules, now=now))
    return portfolios.order_by(*SORT_ORDERS[sort])


def shown_portfolios(
    cohort: Cohort,
    criteria: list[Criterion],
    *,
    chosen: dict[str, str],
    rules: dashboards.RiskRules,
    now: datetime | None = None,
) -> QuerySet[Portfolio]:
    """Every learner the dashboard's filters keep, in its order (not only a page's): what the
    exports write. ``chosen`` holds filters checked already."""
    now = now or timezone.now()
    calendars = [dashboard_facts.CohortCalendar(cohort.pk, len(criteria), cohort.start_date, cohort.end_date)]
    condition = learner_filter(chosen, dashboard_facts.at_risk(calendars, rules=rules, now=now))
    matching = _with_facts(cohort.portfolios.all(), criterion_ids=[c.pk for c in criteria]).filter(condition)
    ordered = _ordered(matching, chosen.get("sort") or "name", calendars, rules=rules, now=now)
    return ordered.select_related("learner", "assessor", "cohort")


def criterion_summary(cohort: Cohort, criteria: list[Criterion], total: int) -> list[CriterionSummary]:
    """Per criterion, how many of the cohort's learners are in each state; most lacking
    first (two queries: the learners' mappings and their standing decisions, each counted
    per criterion by the database)."""
    if not criteria or not total:
        return []
    ids = [c.pk for c in criteria]
    mapped = (
        # Through the learners' evidence, not the criterion index (see ``dashboard_facts.among``).
        dashboard_facts.numbered(CriterionMapping.objects.all())
        .filter(dashboard_facts.among(ids), evidence__portfolio__cohort_id=cohort.pk)
        .alias(note_text=TrimWhitespace("note"))
        .order_by()
        .values("criterion_id")
        .annotate(
            mapped=Count("evidence__portfolio_id", distinct=True),
            evidenced=Count("evidence__portfolio_id", distinct=True, filter=EVIDENCED_SQL),
        )
    )
    by_mapping = {row["criterion_id"]: row for row in mapped}
    any_mapping = dashboard_facts.mappings_for_decision(CriterionMapping.objects.all())
    evidencing = dashboard_facts.mappings_for_decision(dashboard_facts.evidencing_mappings())
    decided = (
        dashboard_facts.standing_decisions()
        .filter(version__portfolio__cohort_id=cohort.pk, criterion_id__in=ids)
        .alias(is_mapped=Exists(any_mapping), is_evidenced=Exists(evidencing))
        .order_by()
        .values("criterion_id", "status")
        .annotate(
            n=Count("pk"),
            mapped=Count("pk", filter=Q(is_mapped=True)),
            evidenced=Count("pk", filter=Q(is_evidenced=True)),
        )
    )
    by_decision: dict[int, dict[str, dict[str, int]]] = defaultdict(dict)
    for row in decided:
        by_decision[row["criterion_id"]][row["status"]] = row
    summary = []
    for criterion in criteria:
        mapping = by_mapping.get(criterion.pk, {"mapped": 0, "evidenced": 0})
        decisions = by_decision.get(criterion.pk, {})
        met = decisions.get(dashboards.CELL_MET, {}).get("n", 0)
        not_yet_met = decisions.get(dashboards.CELL_NOT_YET_MET, {}).get("n", 0)
        decided_evidenced = sum(d["evidenced"] for d in decisions.values())
        decided_mapped = sum(d["mapped"] for d in decisions.values())
        evidenced = mapping["evidenced"] - decided_evidenced
        claimed = mapping["mapped"] - mapping["evidenced"] - (decided_mapped - decided_evidenced)
        counts = {
            dashboards.CELL_NONE: total - evidenced - claimed - met - not_yet_met,
            dashboards.CELL_CLAIMED: claimed,
            dashboards.CELL_EVIDENCED: evidenced,
            dashboards.CELL_MET: met,
            dashboards.CELL_NOT_YET_MET: not_yet_met,
        }
        lacking = sum(n for state, n in counts.items() if state not in dashboards.COVERED)
        summary.append(CriterionSummary(criterion=criterion, counts=counts, lacking=lacking))
    order = {c.pk: i for i, c in enumerate(criteria)}
    return sorted(summary, key=lambda s: (-s.lacking, order[s.criterion.pk]))


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
    tally = _counted(
        _with_facts(portfolios, criterion_ids=None, select=True),
        calendars,
        terms,
        condition=Q(),
        risk_only=False,
    )
    criteria = criteria_for_cohorts([c.pk for c in calendars]) if calendars else {}
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
    return QualitySample.objects.filter(
        decision__assessor=user, finding=QualitySample.Finding.ACTION, responded_at__isnull=True
    ).select_related("decision__criterion__framework", "decision__version__portfolio__learner", "sampled_by")
