from __future__ import annotations

import pytest
from django.urls import reverse

from evidence.models import Evidence
from strategy.models import ReviewCycle
from tests.strategy.factories import ReviewCycleFactory
from tests.strategy.helpers import formset_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def portfolio(learner):
    return learner.portfolios.get()


def url(portfolio):
    return reverse("strategy:monitoring", kwargs={"portfolio_pk": portfolio.pk})


def cycle(**overrides):
    row = {
        "title": "Weekend rota pilot",
        "started_on": "2027-01-04",
        "reviewed_on": "2027-01-18",
        "plan_step": "Halve weekend waits.",
        "do_step": "Two advisers on Saturdays and Sundays.",
        "check_step": "Median first response fell from 300 to 95 minutes.",
        "act_step": "Keep the rota and add alerts.",
        "metric_key": "median_first_response",
        "value_before": "300",
        "value_after": "95",
    }
    return {**row, **overrides}


def test_a_full_cycle_completes_the_step_and_shows_the_comparison(client, learner, portfolio):
    client.force_login(learner)

    response = client.post(url(portfolio), formset_data("cycles", [cycle()]))

    assert response.status_code == 302
    assert Evidence.objects.get(portfolio=portfolio, section_key="strategy.monitoring").section_complete
    html = client.get(url(portfolio)).content.decode()
    assert "−205 minutes — better" in html


def test_it_refuses_a_review_before_the_cycle_started(client, learner, portfolio):
    client.force_login(learner)

    response = client.post(url(portfolio), formset_data("cycles", [cycle(reviewed_on="2027-01-01")]))

    assert "The review date cannot be before the start of the cycle." in response.content.decode()
    assert not ReviewCycle.objects.exists()


def test_a_cycle_without_its_check_step_is_a_draft(client, learner, portfolio):
    client.force_login(learner)

    client.post(url(portfolio), formset_data("cycles", [cycle(check_step="")]))

    assert not Evidence.objects.get(portfolio=portfolio, section_key="strategy.monitoring").section_complete


@pytest.mark.parametrize("rows", [1, 20])
def test_the_page_costs_the_same_queries_for_1_and_20_cycles(
    client, learner, portfolio, rows, django_assert_num_queries, monkeypatch
):
    monkeypatch.setattr("strategy.selectors.current_metric_values", lambda p: {})
    ReviewCycleFactory.create_batch(rows, portfolio=portfolio)
    client.force_login(learner)

    # session, user, portfolio (with cohort, learner, assessor), cycles, the step's version token with
    # the person's draft (one query)
    with django_assert_num_queries(5):
        assert client.get(url(portfolio)).status_code == 200
