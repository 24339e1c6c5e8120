"""factory_boy factories for the strategy models."""

from __future__ import annotations

from datetime import date, timedelta

import factory

from strategy import models
from tests.factories import PortfolioFactory


class StrategyRowFactory(factory.django.DjangoModelFactory):
    portfolio = factory.SubFactory(PortfolioFactory)
    position = factory.Sequence(lambda n: n)


class ObjectiveFactory(StrategyRowFactory):
    class Meta:
        model = models.Objective

    statement = factory.Sequence(
        lambda n: f"Cut the first response time on Instagram to under 45 minutes ({n})."
    )
    metric_key = "median_first_response"
    baseline = 300
    target = 45
    start = factory.LazyFunction(lambda: date.today() - timedelta(days=10))
    deadline = factory.LazyFunction(lambda: date.today() + timedelta(days=90))
    owner = "Team leader"
    business_objective = "Fewer cancelled orders."


class PlatformScoreFactory(StrategyRowFactory):
    class Meta:
        model = models.PlatformScore

    platform = factory.Sequence(lambda n: f"Platform {n}")
    audience_fit = 4
    customer_usage = 4
    service_features = 3
    cost = 3
    staffing = 3


class RiskFactory(StrategyRowFactory):
    class Meta:
        model = models.Risk

    category = models.Risk.Category.DATA_SECURITY
    description = factory.Sequence(lambda n: f"Risk {n}")
    likelihood = 3
    impact = 4
    owner = "Social media lead"
    mitigation = "Private messages for personal details."
    residual_likelihood = 1
    residual_impact = 4


class RegulationCheckFactory(StrategyRowFactory):
    class Meta:
        model = models.RegulationCheck

    improvement = factory.Sequence(lambda n: f"Improvement {n}")


class RaciActivityFactory(StrategyRowFactory):
    class Meta:
        model = models.RaciActivity

    activity = factory.Sequence(lambda n: f"Activity {n}")
    assignments = factory.LazyFunction(lambda: {"Lead": "A", "Advisers": "R"})


class TimelineTaskFactory(StrategyRowFactory):
    class Meta:
        model = models.TimelineTask

    task = factory.Sequence(lambda n: f"Task {n}")
    start = factory.LazyFunction(date.today)
    end = factory.LazyFunction(lambda: date.today() + timedelta(days=14))


class BudgetLineFactory(StrategyRowFactory):
    class Meta:
        model = models.BudgetLine

    item = factory.Sequence(lambda n: f"Item {n}")
    amount = 100


class ResponseProtocolFactory(StrategyRowFactory):
    class Meta:
        model = models.ResponseProtocol

    platform = factory.Sequence(lambda n: f"Platform {n}")
    first_response_minutes = 60
    hours_covered = "Every day 8am–8pm"


class ReviewCycleFactory(StrategyRowFactory):
    class Meta:
        model = models.ReviewCycle

    title = factory.Sequence(lambda n: f"Cycle {n}")
    metric_key = "csat"
    value_before = 70
    value_after = 75
