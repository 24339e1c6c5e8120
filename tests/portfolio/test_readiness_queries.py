"""The readiness check costs one fixed batch of queries, whatever the portfolio or cohort size."""

from __future__ import annotations

import pytest

from readiness import checks as readiness
from tests.factories import LearnerFactory, PortfolioFactory
from tests.portfolio.readiness_builders import build_full

pytestmark = pytest.mark.django_db


def test_a_bare_portfolio_costs_the_fixed_batch(learner, django_assert_num_queries):
    portfolio = learner.portfolios.get()

    # one query per kind of audit and strategy row (20), step notes, service imports,
    # evidence, transcript messages, and coverage (frameworks, groups, criteria, mappings)
    with django_assert_num_queries(readiness.QUERY_COUNT):
        readiness.check_portfolio(portfolio)


def test_a_full_portfolio_costs_the_same(learner, django_assert_num_queries):
    portfolio = build_full(learner.portfolios.get())

    with django_assert_num_queries(readiness.QUERY_COUNT):
        report = readiness.check_portfolio(portfolio)
    assert report.ready


@pytest.mark.parametrize("learners", [1, 20])
def test_the_cohort_summary_costs_the_same_whatever_the_cohort_size(
    cohort, learners, django_assert_num_queries
):
    portfolios = [PortfolioFactory(cohort=cohort, learner=LearnerFactory()) for _ in range(learners)]
    build_full(portfolios[0])

    with django_assert_num_queries(readiness.QUERY_COUNT):
        counts = readiness.cohort_summary(portfolios)

    by_id = {count.rule.id: count for count in counts}
    assert by_id["strategy.crisis_framework"].failing == learners - 1
    assert by_id["strategy.crisis_framework"].total == learners


def test_the_cohort_summary_lists_must_fix_rules_first(cohort, learner):
    counts = readiness.cohort_summary([learner.portfolios.get()])

    severities = [count.rule.severity for count in counts]
    assert severities == sorted(severities, key=["must", "should", "advice"].index)
