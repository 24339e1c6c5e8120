from __future__ import annotations

import pytest
from django.urls import reverse

from evidence.models import Evidence
from strategy.models import RegulationCheck
from tests.strategy.factories import RegulationCheckFactory
from tests.strategy.helpers import formset_data

pytestmark = pytest.mark.django_db
PREFIXES = ["consumer_rights", "data_protection", "equality", "advertising", "platform_terms"]


@pytest.fixture
def portfolio(learner):
    return learner.portfolios.get()


def url(portfolio):
    return reverse("strategy:regulation", kwargs={"portfolio_pk": portfolio.pk})


def check(**overrides):
    row = {"improvement": "Weekend cover on Facebook."}
    for prefix in PREFIXES:
        row[f"{prefix}_status"] = "complies"
        row[f"{prefix}_note"] = "Checked against the rules."
    row["advertising_status"] = "n/a"
    row["advertising_note"] = ""
    return {**row, **overrides}


def test_an_improvement_checked_against_every_rule_completes_the_step(client, learner, portfolio):
    client.force_login(learner)

    response = client.post(url(portfolio), formset_data("checks", [check()]))

    assert response.status_code == 302
    assert Evidence.objects.get(portfolio=portfolio, section_key="strategy.regulation").section_complete


def test_a_verdict_without_a_note_is_a_draft(client, learner, portfolio):
    client.force_login(learner)

    client.post(url(portfolio), formset_data("checks", [check(equality_note="")]))

    assert not Evidence.objects.get(portfolio=portfolio, section_key="strategy.regulation").section_complete
    assert "a note for every regulation that applies" in client.get(url(portfolio)).content.decode()


def test_it_refuses_an_unknown_verdict(client, learner, portfolio):
    client.force_login(learner)

    response = client.post(url(portfolio), formset_data("checks", [check(equality_status="probably")]))

    assert "Select a valid choice" in response.content.decode()
    assert not RegulationCheck.objects.exists()


@pytest.mark.parametrize("rows", [1, 20])
def test_the_page_costs_the_same_queries_for_1_and_20_checks(
    client, learner, portfolio, rows, django_assert_num_queries
):
    RegulationCheckFactory.create_batch(rows, portfolio=portfolio)
    client.force_login(learner)

    # session, user, portfolio (with cohort, learner, assessor), checks, the step's version token with
    # the person's draft (one query)
    with django_assert_num_queries(5):
        assert client.get(url(portfolio)).status_code == 200
