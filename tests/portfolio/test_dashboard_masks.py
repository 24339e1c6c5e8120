"""The learners' criteria as bit masks (``dashboards.masks``): the counts, the criterion summary
and the exports' rows they give are those of the Python rules, on a small cohort worked out by
hand, on random cohorts in every order, and past the 62 criteria of one word."""

from __future__ import annotations

import random

import pytest
from django.utils import timezone

from core.models import CriterionDecision
from dashboards import figures as dashboards
from dashboards import masks
from dashboards import selectors as dashboard_selectors
from dashboards.selectors import paging as dashboard_paging
from evidence.models import Evidence
from tests.evidence.factories import EvidenceFactory, MappingFactory
from tests.factories import (
    CriterionFactory,
    CriterionGroupFactory,
    FrameworkFactory,
    LearnerFactory,
    PortfolioFactory,
)
from tests.portfolio.dashboard_data import version
from tests.portfolio.test_dashboard_facts import PYTHON_SORTS, every_row, random_cohort

pytestmark = pytest.mark.django_db

NO_FILTER = {"sort": "name", "state": "", "assessor": "", "risk": ""}


def only_framework(cohort, count: int) -> list:
    """The cohort's one framework, with ``count`` criteria in order."""
    framework = FrameworkFactory(code=f"BIG{count}")
    group = CriterionGroupFactory(framework=framework)
    criteria = [CriterionFactory(group=group, framework=framework, order=n) for n in range(count)]
    cohort.frameworks.set([framework])
    return criteria


def decide(portfolio, criterion, status, assessor) -> None:
    row = portfolio.versions.first() or version(portfolio, 1, outcome=None, days_ago=3)
    CriterionDecision.objects.create(version=row, criterion=criterion, assessor=assessor, status=status)


def row_facts(row) -> tuple:
    return (row.portfolio.pk, row.states, row.coverage, row.risks, row.step_states, row.submission)


def test_a_small_cohort_counts_as_worked_out_by_hand(cohort, assessor):
    c1, c2, c3, c4 = only_framework(cohort, 4)
    ada, ben, cai = (
        PortfolioFactory(cohort=cohort, learner=LearnerFactory(last_name=name), assessor=assessor)
        for name in ("Ada", "Ben", "Cai")
    )
    # Ada evidences c1 and c2 and only claims c3 (a note of whitespace): 2 of 4, 50 %.
    MappingFactory(evidence=EvidenceFactory(portfolio=ada), criterion=c1, note="Shows it.")
    MappingFactory(evidence=EvidenceFactory(portfolio=ada), criterion=c2, note=" Shows it ")
    MappingFactory(evidence=EvidenceFactory(portfolio=ada), criterion=c3, note="\u2003 ")
    # Ben evidences c1 but is judged not yet met on it, and met on c4 without evidence: 1 of 4.
    MappingFactory(evidence=EvidenceFactory(portfolio=ben), criterion=c1, note="Shows it.")
    decide(ben, c1, CriterionDecision.Status.NOT_YET_MET, assessor)
    decide(ben, c4, CriterionDecision.Status.MET, assessor)
    # Cai's note is on a guided step still in progress: c2 is only claimed. 0 of 4.
    step = Evidence.objects.create(
        portfolio=cai, kind=Evidence.Kind.SECTION, section_key="audit.x", title="Step", section_complete=False
    )
    MappingFactory(evidence=step, criterion=c2, note="Shows it.")

    board = dashboard_selectors.cohort_dashboard(
        cohort, chosen=NO_FILTER, page=1, rules=dashboards.RiskRules()
    )

    assert (board.figures.total, board.figures.matching) == (3, 3)
    assert board.figures.average == 25  # (50 + 25 + 0) / 3
    assert board.figures.distribution == [1, 0, 1, 0, 0, 1, 0, 0, 0, 0]
    assert [(s.criterion, s.lacking) for s in board.summary] == [(c3, 3), (c1, 2), (c2, 2), (c4, 2)]
    by_criterion = {s.criterion: s.counts for s in board.summary}
    assert by_criterion[c1] == {"none": 1, "claimed": 0, "evidenced": 1, "met": 0, "not_yet_met": 1}
    assert by_criterion[c2] == {"none": 1, "claimed": 1, "evidenced": 1, "met": 0, "not_yet_met": 0}
    assert by_criterion[c3] == {"none": 2, "claimed": 1, "evidenced": 0, "met": 0, "not_yet_met": 0}
    assert by_criterion[c4] == {"none": 2, "claimed": 0, "evidenced": 0, "met": 1, "not_yet_met": 0}
    assert dashboard_selectors.criterion_summary(cohort, [c1, c2, c3, c4], 3) == board.summary
    rows = {row.portfolio.pk: row for row in board.page.object_list}
    assert rows[ada.pk].states == ["evidenced", "evidenced", "claimed", "none"]
    assert rows[ben.pk].states == ["not_yet_met", "none", "none", "met"]
    assert rows[cai.pk].states == ["none", "claimed", "none", "none"]


@pytest.mark.parametrize("seed", [4, 5])
def test_the_exports_rows_are_the_rules_rows_in_every_order(cohort, assessor, other_assessor, seed):
    random_cohort(cohort, assessor, other_assessor, learners=12, seed=seed)
    now, rules = timezone.now(), dashboards.RiskRules()
    criteria, _ = every_row(cohort, now)
    for sort in PYTHON_SORTS:
        for risk in ("", "1"):
            chosen = {**NO_FILTER, "sort": sort, "risk": risk}
            shown = dashboard_selectors.shown_portfolios(
                cohort, criteria, chosen=chosen, rules=rules, now=now
            )
            expected = dashboard_selectors.learner_rows(
                shown, criteria_by_cohort={cohort.pk: criteria}, rules=rules, now=now
            )
            streamed = dashboard_selectors.streamed_rows(
                shown, criteria_by_cohort={cohort.pk: criteria}, rules=rules, now=now, chunk_size=5
            )
            assert [row_facts(r) for r in streamed] == [row_facts(r) for r in expected], chosen


def test_a_cohort_of_more_criteria_than_a_word_holds(cohort, assessor, monkeypatch):
    criteria = only_framework(cohort, 2 * masks.WORD_BITS + 5)  # three words
    rng = random.Random(9)
    edges = [0, 1, 60, 61, 62, 63, 123, 124, len(criteria) - 1]
    for n in range(6):
        portfolio = PortfolioFactory(
            cohort=cohort, learner=LearnerFactory(username=f"w{n}"), assessor=assessor
        )
        for index in rng.sample(edges, 5) + rng.sample(range(len(criteria)), 20):
            note = rng.choice(["", " ", "Shows it."])
            MappingFactory(
                evidence=EvidenceFactory(portfolio=portfolio), criterion=criteria[index], note=note
            )
        for index in rng.sample(edges, 2):
            decide(portfolio, criteria[index], rng.choice(["met", "not_yet_met"]), assessor)
    monkeypatch.setattr(dashboard_paging, "PAGE_SIZE", 100)
    now, rules = timezone.now(), dashboards.RiskRules()
    ordered, rows = every_row(cohort, now)

    board = dashboard_selectors.cohort_dashboard(cohort, chosen=NO_FILTER, page=1, rules=rules, now=now)

    assert board.figures.average == round(sum(r.coverage for r in rows) / len(rows))
    assert board.figures.distribution == [
        sum(1 for r in rows if min(r.coverage // 10, 9) == band) for band in range(10)
    ]
    for item in board.summary:
        column = [r.states[ordered.index(item.criterion)] for r in rows]
        assert item.counts == {state: column.count(state) for state in dashboards.CELL_STATES}
    streamed = dashboard_selectors.streamed_rows(
        dashboard_selectors.cohort_portfolios(cohort),
        criteria_by_cohort={cohort.pk: ordered},
        rules=rules,
        now=now,
    )
    assert [row_facts(r) for r in streamed] == [row_facts(r) for r in rows]


def test_an_empty_cohort_has_no_masks(cohort):
    layout = masks.Layout({cohort.pk: []})

    assert layout.words == 0
    assert masks.counted(cohort.portfolios.all(), layout, flags={}) == []
    assert list(masks.in_order(cohort.portfolios.all(), layout)) == []
