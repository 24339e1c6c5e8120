from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse

from evidence.models import Evidence
from strategy.models import Objective
from tests.strategy.factories import ObjectiveFactory
from tests.strategy.helpers import formset_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def portfolio(learner):
    return learner.portfolios.get()


def url(portfolio):
    return reverse("strategy:objectives", kwargs={"portfolio_pk": portfolio.pk})


def objective(**overrides):
    row = {
        "statement": "Answer weekend messages within the hour.",
        "metric_key": "median_first_response",
        "custom_direction": "increase",
        "baseline": "300",
        "target": "60",
        "start": (date.today() - timedelta(days=5)).isoformat(),
        "deadline": (date.today() + timedelta(days=90)).isoformat(),
        "owner": "Team leader",
        "business_objective": "Fewer cancelled orders.",
    }
    return {**row, **overrides}


def test_two_smart_objectives_complete_the_step(client, learner, portfolio):
    client.force_login(learner)

    response = client.post(
        url(portfolio),
        formset_data("objectives", [objective(), objective(metric_key="csat", baseline=70, target=80)]),
    )

    assert response.status_code == 302
    assert Objective.objects.filter(portfolio=portfolio).count() == 2
    assert Evidence.objects.get(portfolio=portfolio, section_key="strategy.objectives").section_complete


def test_an_objective_failing_a_smart_test_saves_as_a_draft_and_says_why(client, learner, portfolio):
    client.force_login(learner)

    client.post(url(portfolio), formset_data("objectives", [objective(owner="", target="400")]))
    html = client.get(url(portfolio)).content.decode()

    assert Objective.objects.filter(portfolio=portfolio).count() == 1
    assert not Evidence.objects.get(portfolio=portfolio, section_key="strategy.objectives").section_complete
    assert "For this metric the target must be below the baseline of 300." in html
    assert "Name the person or role who answers for this objective." in html
    assert "Not complete yet" in html


def test_it_refuses_a_deadline_before_the_start_at_the_field_and_keeps_what_was_saved(
    client, learner, portfolio
):
    ObjectiveFactory(portfolio=portfolio, statement="Kept as it was")
    client.force_login(learner)

    response = client.post(
        url(portfolio),
        formset_data(
            "objectives",
            [objective(statement="Changed"), objective(start="2027-05-10", deadline="2027-05-01")],
            initial=1,
        ),
    )

    assert response.status_code == 200
    assert "The deadline cannot be before the start date." in response.content.decode()
    assert list(Objective.objects.filter(portfolio=portfolio).values_list("statement", flat=True)) == [
        "Kept as it was"
    ]


def test_it_refuses_a_metric_that_is_not_in_the_catalogue(client, learner, portfolio):
    client.force_login(learner)

    response = client.post(url(portfolio), formset_data("objectives", [objective(metric_key="bogus")]))

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Objective.objects.exists()


def test_a_removed_row_is_dropped(client, learner, portfolio):
    ObjectiveFactory(portfolio=portfolio, statement="Old")
    client.force_login(learner)

    client.post(
        url(portfolio), formset_data("objectives", [objective(statement="Old", DELETE="on")], initial=1)
    )

    assert not Objective.objects.filter(portfolio=portfolio).exists()


def test_progress_is_shown_when_service_data_exists(client, learner, portfolio, monkeypatch):
    ObjectiveFactory(portfolio=portfolio, metric_key="median_first_response", baseline=300, target=60)
    monkeypatch.setattr(
        "strategy.selectors.current_metric_values", lambda p: {"median_first_response": 180.0}
    )
    client.force_login(learner)

    html = client.get(url(portfolio)).content.decode()

    assert "now 180 minutes, 50% of the way to the target" in html


def test_the_adapter_reads_the_audit_snapshot_when_the_audit_provides_one(portfolio, monkeypatch):
    from strategy.selectors import current_metric_values

    # The strategy reads the audit's service data through the audit's selector (a floor below).
    monkeypatch.setattr("strategy.selectors.kpi_snapshot", lambda p: {"csat": 77.0})

    assert current_metric_values(portfolio) == {"csat": 77.0}


def test_the_adapter_has_nothing_to_show_without_service_data(portfolio):
    from strategy.selectors import current_metric_values

    assert current_metric_values(portfolio) == {}


@pytest.mark.parametrize("rows", [1, 20])
def test_the_page_costs_the_same_queries_for_1_and_20_objectives(
    client, learner, portfolio, rows, django_assert_num_queries, monkeypatch
):
    monkeypatch.setattr("strategy.selectors.current_metric_values", lambda p: {})
    ObjectiveFactory.create_batch(rows, portfolio=portfolio)
    client.force_login(learner)

    # session, user, portfolio (with cohort, learner, assessor), objectives, the step's version token
    # with the person's draft (one query)
    with django_assert_num_queries(5):
        assert client.get(url(portfolio)).status_code == 200


def test_the_to_do_list_names_only_the_part_of_an_objective_that_is_missing(client, learner, portfolio):
    client.force_login(learner)

    client.post(url(portfolio), formset_data("objectives", [objective(business_objective=""), objective()]))
    html = client.get(url(portfolio)).content.decode()

    assert "Objective 1: the business objective it serves" in html
    assert "its statement and the business objective" not in html
