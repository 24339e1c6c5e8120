"""One row per learner, as the cohort dashboard, the caseload and the exports show it,
built from a portfolio annotated by ``dashboard_facts.with_row_facts``."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone

from core.models import Criterion, Portfolio
from core.sections import Section, all_sections
from dashboards import facts as dashboard_facts
from dashboards import figures as dashboards
from dashboards import masks
from evidence.selectors import PortfolioTally, tally_of


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
        return self.row(portfolio, states)

    def from_masks(self, portfolio: Portfolio, bits: masks.LearnerMasks) -> LearnerRow:
        """The row of a portfolio annotated by ``with_row_facts(cells=False)``, its criteria's
        states read from its masks (``masks.in_order``)."""
        return self.row(portfolio, masks.states(len(self.criterion_ids.get(portfolio.cohort_id, ())), bits))

    def row(self, portfolio: Portfolio, states: list[str]) -> LearnerRow:
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


def streamed_rows(
    portfolios: QuerySet[Portfolio],
    *,
    criteria_by_cohort: dict[int, list[Criterion]],
    rules: dashboards.RiskRules | None = None,
    now: datetime | None = None,
    chunk_size: int = 500,
) -> Iterator[LearnerRow]:
    """``learner_rows`` for a whole cohort: the same rows, in the queryset's order, from two
    streams read side by side (two queries, memory the same whatever the number of
    learners): the learners with their steps and submission, and their criteria as bits
    (``masks.in_order``), joined by hash rather than looked up learner by learner."""
    build = RowBuilder(criteria_by_cohort, rules or dashboards.RiskRules(), now or timezone.now())
    layout = masks.Layout({pk: [c.pk for c in cs] for pk, cs in criteria_by_cohort.items()})
    shown = dashboard_facts.with_row_facts(
        dashboard_facts.with_submission(portfolios.only(*ROW_FIELDS)), cells=False
    )
    bits = masks.in_order(portfolios, layout, chunk_size=chunk_size)
    for portfolio, learner in zip(shown.iterator(chunk_size), bits, strict=True):
        if learner.portfolio_id != portfolio.pk:  # the two orders must be one and the same
            raise RuntimeError("The learners' masks came in another order than their rows.")
        yield build.from_masks(portfolio, learner)


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
