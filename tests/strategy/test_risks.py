from __future__ import annotations

import pytest
from django.urls import reverse

from evidence.models import Evidence
from strategy.models import Risk
from tests.strategy.factories import RiskFactory
from tests.strategy.helpers import formset_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def portfolio(learner):
    return learner.portfolios.get()


def url(portfolio):
    return reverse("strategy:risks", kwargs={"portfolio_pk": portfolio.pk})


def risk(**overrides):
    row = {
        "category": "data_security",
        "description": "Order details posted publicly.",
        "likelihood": 3,
        "impact": 4,
        "owner": "Social media lead",
        "mitigation": "Private messages for anything personal.",
        "residual_likelihood": 1,
        "residual_impact": 4,
    }
    return {**row, **overrides}


def test_risks_in_the_three_required_categories_complete_the_step(client, learner, portfolio):
    client.force_login(learner)

    response = client.post(
        url(portfolio),
        formset_data(
            "risks",
            [
                risk(),
                risk(category="negative_publicity", likelihood=5, impact=5),
                risk(category="regulation"),
            ],
        ),
    )

    assert response.status_code == 302
    assert Evidence.objects.get(portfolio=portfolio, section_key="strategy.risks").section_complete
    html = client.get(url(portfolio)).content.decode()
    # The register lists the worst first, with score and level in words.
    assert html.index("25</span>") < html.index("12</span>")
    assert "High</span>" in html
    assert 'id="risk-heat-map"' not in html  # the chart's data island, not a div id
    assert "risk-heat-map-data" in html


def test_a_register_missing_a_required_category_is_a_draft(client, learner, portfolio):
    client.force_login(learner)

    client.post(url(portfolio), formset_data("risks", [risk()]))
    html = client.get(url(portfolio)).content.decode()

    assert not Evidence.objects.get(portfolio=portfolio, section_key="strategy.risks").section_complete
    assert "A negative publicity risk" in html


@pytest.mark.parametrize(
    ("field", "value"),
    [("likelihood", 6), ("impact", 0), ("residual_likelihood", 9)],
)
def test_it_refuses_a_risk_score_out_of_range_and_saves_nothing(client, learner, portfolio, field, value):
    RiskFactory(portfolio=portfolio, description="Already there")
    client.force_login(learner)

    response = client.post(
        url(portfolio),
        formset_data("risks", [risk(description="Changed"), risk(**{field: value})], initial=1),
    )

    assert response.status_code == 200
    assert "Score from 1 (lowest) to 5 (highest)." in response.content.decode()
    assert list(Risk.objects.values_list("description", flat=True)) == ["Already there"]


def test_it_asks_for_both_residual_scores_or_neither(client, learner, portfolio):
    client.force_login(learner)

    response = client.post(url(portfolio), formset_data("risks", [risk(residual_impact="")]))

    assert (
        "Give both the residual likelihood and the residual impact, or neither." in response.content.decode()
    )
    assert not Risk.objects.exists()


def test_it_refuses_an_unknown_category(client, learner, portfolio):
    client.force_login(learner)

    response = client.post(url(portfolio), formset_data("risks", [risk(category="aliens")]))

    assert "Select a valid choice" in response.content.decode()
    assert not Risk.objects.exists()


@pytest.mark.parametrize("rows", [1, 20])
def test_the_page_costs_the_same_queries_for_1_and_20_risks(
    client, learner, portfolio, rows, django_assert_num_queries
):
    RiskFactory.create_batch(rows, portfolio=portfolio)
    client.force_login(learner)

    # session, user, portfolio (with cohort, learner, assessor), risks, the step's version token with
    # the person's draft (one query)
    with django_assert_num_queries(5):
        assert client.get(url(portfolio)).status_code == 200
