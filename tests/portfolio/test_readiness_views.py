"""The readiness checklist page, a step's findings, and the counts on the cohort page."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils.html import escape

from readiness import checks as readiness
from tests.portfolio.readiness_builders import build_full

pytestmark = pytest.mark.django_db


@pytest.fixture
def portfolio(learner):
    return learner.portfolios.get()


def test_a_fresh_learner_sees_a_plan_of_work_grouped_by_severity(client, learner, portfolio):
    client.force_login(learner)

    response = client.get(reverse("portfolio:readiness", args=[portfolio.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert html.index("Must fix") < html.index("Should fix") < html.index("Advice")
    assert "Include a competitor analysis" in html
    assert reverse("audit:competitors", args=[portfolio.pk]) in html
    assert "must-fix points before this portfolio is ready" in html


def test_a_full_portfolio_has_nothing_to_fix(client, learner, portfolio):
    build_full(portfolio)
    client.force_login(learner)

    response = client.get(reverse("portfolio:readiness", args=[portfolio.pk]))

    assert "Nothing must be fixed." in response.content.decode()


def test_the_assessor_reads_the_learners_checklist(client, assessor, portfolio):
    client.force_login(assessor)

    response = client.get(reverse("portfolio:readiness", args=[portfolio.pk]))

    assert response.status_code == 200
    assert f"Readiness checklist for {escape(portfolio.learner.display_name)}" in response.content.decode()


@pytest.mark.parametrize("full", [False, True])
def test_the_checklist_page_costs_a_fixed_number_of_queries(
    client, learner, portfolio, full, django_assert_num_queries
):
    if full:
        build_full(portfolio)
    client.force_login(learner)

    # session, user, portfolio (access), then the readiness batch
    with django_assert_num_queries(3 + readiness.QUERY_COUNT):
        response = client.get(reverse("portfolio:readiness", args=[portfolio.pk]))
    assert response.status_code == 200


def test_a_step_shows_only_its_own_findings(client, learner, portfolio):
    client.force_login(learner)

    response = client.get(reverse("portfolio:readiness_step", args=[portfolio.pk, "strategy.vision"]))

    html = response.content.decode()
    assert "Tell owned, earned and paid social media apart" in html
    assert "Include a competitor analysis" not in html


def test_a_complete_step_says_its_points_are_covered(client, learner, portfolio):
    build_full(portfolio)
    client.force_login(learner)

    response = client.get(reverse("portfolio:readiness_step", args=[portfolio.pk, "strategy.vision"]))

    assert "Every marking point checked on this step is covered." in response.content.decode()


def test_an_unknown_step_is_not_found(client, learner, portfolio):
    client.force_login(learner)

    response = client.get(reverse("portfolio:readiness_step", args=[portfolio.pk, "audit.nothing"]))

    assert response.status_code == 404


@pytest.mark.parametrize(
    ("url_name", "key"), [("audit:presence", "audit.presence"), ("strategy:risks", "strategy.risks")]
)
def test_step_pages_load_their_findings(client, learner, portfolio, url_name, key):
    client.force_login(learner)

    response = client.get(reverse(url_name, args=[portfolio.pk]))

    assert reverse("portfolio:readiness_step", args=[portfolio.pk, key]) in response.content.decode()


def test_the_portfolio_page_links_to_the_checklist(client, learner, portfolio):
    client.force_login(learner)

    response = client.get(reverse("portfolio:portfolio_detail", args=[portfolio.pk]))

    assert reverse("portfolio:readiness", args=[portfolio.pk]) in response.content.decode()


def test_the_cohort_page_counts_learners_per_rule(client, tutor, cohort, learner, other_learner):
    build_full(learner.portfolios.get())
    client.force_login(tutor)

    response = client.get(reverse("portfolio:cohort_detail", args=[cohort.pk]))

    html = response.content.decode()
    assert "Readiness across the cohort" in html
    assert "Include a crisis communication framework" in html
    assert "1</span> of 2" in html


def test_the_cohort_page_says_when_every_learner_passes(client, tutor, cohort, learner):
    build_full(learner.portfolios.get())
    client.force_login(tutor)

    response = client.get(reverse("portfolio:cohort_detail", args=[cohort.pk]))

    assert "Every learner passes every check." in response.content.decode()
