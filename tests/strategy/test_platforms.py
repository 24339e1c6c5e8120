from __future__ import annotations

import pytest
from django.urls import reverse

from evidence.models import Evidence
from strategy.models import PlatformScore, PlatformSelection
from tests.strategy.factories import PlatformScoreFactory
from tests.strategy.helpers import formset_data

pytestmark = pytest.mark.django_db

WEIGHTS = {
    "weights-weight_audience_fit": "30",
    "weights-weight_customer_usage": "25",
    "weights-weight_service_features": "20",
    "weights-weight_cost": "10",
    "weights-weight_staffing": "15",
}


@pytest.fixture
def portfolio(learner):
    return learner.portfolios.get()


def url(portfolio):
    return reverse("strategy:platforms", kwargs={"portfolio_pk": portfolio.pk})


def platform(name, a=4, u=4, f=4, c=4, s=4):
    return {
        "platform": name,
        "audience_fit": a,
        "customer_usage": u,
        "service_features": f,
        "cost": c,
        "staffing": s,
    }


def post(client, portfolio, rows, justification="Facebook is where our customers ask for help.", **weights):
    data = {**WEIGHTS, **weights, "weights-justification": justification}
    data.update(formset_data("platforms", rows))
    return client.post(url(portfolio), data)


def test_scored_platforms_with_a_justification_complete_the_step(client, learner, portfolio):
    client.force_login(learner)

    response = post(
        client, portfolio, [platform("TikTok", 2, 1, 2, 4, 2), platform("Facebook", 5, 5, 4, 4, 3)]
    )

    assert response.status_code == 302
    evidence = Evidence.objects.get(portfolio=portfolio, section_key="strategy.platforms")
    assert evidence.section_complete
    assert evidence.description.startswith("Ranking: 1. Facebook (4.40), 2. TikTok (1.95)")
    html = client.get(url(portfolio)).content.decode()
    assert "platform-ranking-data" in html
    assert "Audience fit 30%" in html


def test_without_a_justification_the_ranking_is_only_a_draft(client, learner, portfolio):
    client.force_login(learner)

    post(client, portfolio, [platform("Facebook"), platform("X")], justification="")

    assert not Evidence.objects.get(portfolio=portfolio, section_key="strategy.platforms").section_complete
    assert "A justification of the ranking" in client.get(url(portfolio)).content.decode()


def test_tied_platforms_share_a_rank(client, learner, portfolio):
    client.force_login(learner)

    post(client, portfolio, [platform("Facebook"), platform("X"), platform("TikTok", 1, 1, 1, 1, 1)])
    html = client.get(url(portfolio)).content.decode()

    assert html.count("1 (tied)") == 2
    assert "<td>3</td>" in html


@pytest.mark.parametrize("value", ["0", "-10"])
def test_it_refuses_a_weight_that_is_not_positive_and_saves_nothing(client, learner, portfolio, value):
    client.force_login(learner)

    response = post(client, portfolio, [platform("Facebook")], **{"weights-weight_cost": value})

    assert response.status_code == 200
    assert "The weight for cost (5 = cheapest) must be more than zero." in response.content.decode()
    assert not PlatformScore.objects.exists()
    assert not PlatformSelection.objects.exists()


def test_it_refuses_a_score_of_six(client, learner, portfolio):
    client.force_login(learner)

    response = post(client, portfolio, [platform("Facebook", a=6)])

    assert "Score from 1 to 5." in response.content.decode()
    assert not PlatformScore.objects.exists()


@pytest.mark.parametrize("rows", [1, 20])
def test_the_page_costs_the_same_queries_for_1_and_20_platforms(
    client, learner, portfolio, rows, django_assert_num_queries
):
    PlatformScoreFactory.create_batch(rows, portfolio=portfolio)
    client.force_login(learner)

    # session, user, portfolio (with cohort, learner, assessor), weights, platform scores,
    # the audit's platforms and customer segments, the step's version token with the person's
    # draft (one query)
    with django_assert_num_queries(8):
        assert client.get(url(portfolio)).status_code == 200


def test_the_audits_audience_data_stands_beside_the_matrix(client, learner, portfolio):
    from audit.models import CustomerSegment, PlatformPresence

    PlatformPresence.objects.create(portfolio=portfolio, position=0, platform="instagram", audience=62000)
    PlatformPresence.objects.create(portfolio=portfolio, position=1, platform="facebook", audience=48000)
    CustomerSegment.objects.create(
        portfolio=portfolio, position=0, name="Young renters", platforms="Instagram, TikTok"
    )
    client.force_login(learner)

    html = client.get(url(portfolio)).content.decode()

    assert "What your audit found" in html
    assert html.index("Instagram") < html.index("Facebook")  # largest audience first
    assert "62,000" in html
    assert "Young renters" in html


def test_without_audit_data_the_learner_is_sent_to_the_audit(client, learner, portfolio):
    client.force_login(learner)

    html = client.get(url(portfolio)).content.decode()

    assert "Your audit has no platforms or customer segments yet" in html
