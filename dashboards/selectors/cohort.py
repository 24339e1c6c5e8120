"""Reads for the cohort dashboard: its figures, a page of its learners in the order
chosen, every learner its filters keep (for the exports), and the criteria summary."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.paginator import Page
from django.db.models import Count, Exists, F, Q, QuerySet
from django.utils import timezone

from core.models import Cohort, Criterion, Portfolio, User
from core.ordering import Casefold
from core.selectors import criteria_for_cohort
from dashboards import facts as dashboard_facts
from dashboards import figures as dashboards
from dashboards import masks
from dashboards.selectors.paging import _counted, _page, _with_facts
from dashboards.selectors.rows import ROW_FIELDS, LearnerRow, RowBuilder
from evidence.selectors import all_mappings, evidencing_mappings

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


# The orders that need each learner's number covered, and what ``masks.OrderedLearners`` puts
# first for them (ties in the order the learners were read in, ``READ_ORDER``).
BY_COVERAGE = {"coverage": "covered", "-coverage": "-covered", "risk": "risk"}


def cohort_portfolios(cohort: Cohort) -> QuerySet[Portfolio]:
    """The cohort's portfolios with learner, assessor and cohort, in the order of names."""
    return cohort.portfolios.select_related("learner", "assessor", "cohort").order_by(*NAME_ORDER)


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
    summary: list[CriterionSummary]  # most lacking first (``criterion_summary``)


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
class CriterionSummary:
    criterion: Criterion
    counts: dict[str, int]
    lacking: int  # learners for whom it is neither evidenced nor met


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
        cohort.portfolios.all(),
        calendars,
        terms,
        layout=masks.Layout({cohort.pk: ids}),
        condition=learner_filter({**chosen, "risk": ""}, risky),
        risk_only=bool(chosen.get("risk")),
        per_criterion=True,
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

    ordered: QuerySet[Portfolio] | masks.OrderedLearners
    if sort in BY_COVERAGE or chosen.get("risk"):
        # Each learner's number covered from the bits, once, rather than a subquery per learner.
        ordered = masks.OrderedLearners(
            dashboard_facts.with_submission(cohort.portfolios.all()).filter(
                learner_filter({**chosen, "risk": ""}, risky)
            ),
            masks.Layout({cohort.pk: ids}),
            figures.matching,
            then=READ_ORDER if sort in BY_COVERAGE else SORT_ORDERS[sort],
            first=BY_COVERAGE.get(sort, ""),
            risk_only=bool(chosen.get("risk")),
            others=terms.others,
            enough=terms.enough,
        )
    else:
        matching = _with_facts(cohort.portfolios.all(), criterion_ids=ids).filter(condition)
        ordered = _ordered(matching, sort, calendars, rules=rules, now=now)
    summary = _summary(cohort, criteria, tally.total, evidencing=tally.evidenced, mapping=tally.mapped)
    return CohortDashboard(criteria, figures, _page(ordered, figures.matching, page, rows), summary)


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
    first (two queries: the learners' mappings, as bits summed per criterion by the
    database, and their standing decisions counted per criterion). The dashboard has the
    first from its counts (``cohort_dashboard``'s ``summary``)."""
    if not criteria or not total:
        return []
    tally = _counted(
        cohort.portfolios.all(),
        [dashboard_facts.CohortCalendar(cohort.pk, len(criteria), None, None)],
        dashboard_facts.RiskTerms([], {}),
        layout=masks.Layout({cohort.pk: [c.pk for c in criteria]}),
        condition=Q(),
        risk_only=False,
        per_criterion=True,
    )
    return _summary(cohort, criteria, total, evidencing=tally.evidenced, mapping=tally.mapped)


def _summary(
    cohort: Cohort,
    criteria: list[Criterion],
    total: int,
    *,
    evidencing: Mapping[int, int],
    mapping: Mapping[int, int],
) -> list[CriterionSummary]:
    """``criterion_summary`` from the learners counted per criterion (evidencing it, mapping
    anything to it) and their standing decisions (one query)."""
    if not criteria or not total:
        return []
    ids = [c.pk for c in criteria]
    by_mapping = {pk: {"mapped": mapping.get(pk, 0), "evidenced": evidencing.get(pk, 0)} for pk in ids}
    any_mapping = dashboard_facts.mappings_for_decision(all_mappings())
    evidencing = dashboard_facts.mappings_for_decision(evidencing_mappings())
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
