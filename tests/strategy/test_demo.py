from __future__ import annotations

import pytest

from demo.strategy import build_demo_content
from evidence.models import Evidence
from strategy import models
from tests.factories import LearnerFactory, PortfolioFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_portfolios(cohort):
    return {
        name: PortfolioFactory(cohort=cohort, learner=LearnerFactory(username=name))
        for name in ["learner", "learner2", "learner3", "learner4"]
    }


@pytest.mark.parametrize("name", ["learner", "learner4"])  # Amira, and Daniel who is signed off
def test_the_full_demo_learners_have_every_strategy_step_complete(cohort, demo_portfolios, name):
    build_demo_content(cohort=cohort, portfolios=demo_portfolios)

    rows = Evidence.objects.filter(portfolio=demo_portfolios[name], section_key__startswith="strategy.")
    assert {(row.section_key, row.section_complete) for row in rows} == {
        (f"strategy.{step}", True)
        for step in [
            "vision",
            "objectives",
            "platforms",
            "risks",
            "regulation",
            "implementation",
            "monitoring",
            "pitch",
        ]
    }


def test_other_demo_learners_have_partial_drafts(cohort, demo_portfolios):
    build_demo_content(cohort=cohort, portfolios=demo_portfolios)

    states = lambda name: set(  # noqa: E731
        Evidence.objects.filter(portfolio=demo_portfolios[name]).values_list("section_complete", flat=True)
    )
    assert states("learner2") == {False}
    assert states("learner3") == {False}


def test_building_the_demo_twice_changes_nothing(cohort, demo_portfolios):
    build_demo_content(cohort=cohort, portfolios=demo_portfolios)
    before = list(models.Risk.objects.order_by("pk").values_list("pk", "description"))

    build_demo_content(cohort=cohort, portfolios=demo_portfolios)

    assert list(models.Risk.objects.order_by("pk").values_list("pk", "description")) == before
    assert models.Objective.objects.filter(portfolio=demo_portfolios["learner"]).count() == 4
