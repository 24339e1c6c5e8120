"""The progress-over-time chart of the cohort dashboard: fragment, page, contents and cost."""

from __future__ import annotations

import html
import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from evidence.models import CriterionMapping
from tests.evidence.factories import EvidenceFactory, MappingFactory
from tests.factories import LearnerFactory, PortfolioFactory
from tests.portfolio.dashboard_data import fill

pytestmark = pytest.mark.django_db


def url(cohort):
    return reverse("portfolio:cohort_progress", args=[cohort.pk])


def evidenced(portfolio, criterion, days_ago):
    mapping = MappingFactory(
        evidence=EvidenceFactory(portfolio=portfolio), criterion=criterion, note="Shows it."
    )
    CriterionMapping.objects.filter(pk=mapping.pk).update(
        created_at=timezone.now() - timedelta(days=days_ago)
    )


def test_the_dashboard_fetches_the_chart_once_it_has_loaded(client, tutor, cohort, assessor):
    fill(cohort, assessor, 1)
    client.force_login(tutor)

    page = client.get(reverse("portfolio:cohort_dashboard", args=[cohort.pk])).content.decode()

    assert f'hx-get="{url(cohort)}" hx-trigger="load"' in page
    assert f'<a href="{url(cohort)}">Open the progress chart</a>' in page  # without JavaScript


def test_the_chart_shows_the_median_learner_week_by_week_with_a_table(client, tutor, cohort):
    # Three criteria, cohort started 30 days ago (factory): points 30, 23, 16, 9, 2 days ago and today.
    criteria = list(cohort.frameworks.get().criteria.order_by("order"))
    ahead, behind = (PortfolioFactory(cohort=cohort, learner=LearnerFactory()) for _ in range(2))
    evidenced(ahead, criteria[0], days_ago=25)
    evidenced(ahead, criteria[1], days_ago=10)
    evidenced(behind, criteria[0], days_ago=1)
    client.force_login(tutor)

    response = client.get(url(cohort), headers={"HX-Request": "true"})

    points = response.context["points"]
    assert [p.on for p in points][-1] == timezone.localdate()
    assert [p.median for p in points] == [0, 17, 17, 33, 33, 50]  # halfway between the two learners
    body = response.content.decode()
    assert "<html" not in body  # the fragment only
    assert 'id="progress-table"' in body
    assert "What it counts" in body
    assert "Assessors' decisions are not counted here." in body
    assert "<script" not in body  # htmx would drop it, figure and all
    island = body.split('<div hidden id="progress-over-time-data">')[1].split("</div>")[0]
    figure = json.loads(html.unescape(island))
    assert [trace["name"] for trace in figure["data"][1:]] == [
        "Middle half of learners",
        "Median learner",
        "Expected by the calendar",
    ]
    assert figure["data"][2]["y"] == [0, 17, 17, 33, 33, 50]
    assert (
        "the median of the 2 learners had evidenced 50 % of the criteria"
        in response.context["chart"]["description"]
    )


def test_without_javascript_the_chart_is_a_page_of_its_own(client, tutor, cohort, assessor):
    fill(cohort, assessor, 1)
    client.force_login(tutor)

    body = client.get(url(cohort)).content.decode()

    assert "<html" in body
    assert f">{cohort.name}</h1>" in body
    assert "Progress over time" in body
    assert "plotly-cartesian.min.js" in body


def test_a_cohort_not_started_or_without_learners_says_so(client, tutor, cohort, assessor):
    client.force_login(tutor)
    assert "No learners in this cohort yet." in client.get(url(cohort)).content.decode()

    fill(cohort, assessor, 1)
    cohort.start_date = timezone.localdate() + timedelta(days=10)
    cohort.end_date = cohort.start_date + timedelta(days=100)
    cohort.save()
    body = client.get(url(cohort)).content.decode()
    assert "Nothing to draw yet: the cohort starts on" in body
    assert 'id="progress-over-time"' not in body


@pytest.mark.parametrize("learners", [1, 20])
def test_the_chart_costs_the_same_whatever_the_cohort_size(
    client, tutor, cohort, assessor, learners, django_assert_max_num_queries
):
    fill(cohort, assessor, learners)
    client.force_login(tutor)

    # session, user, cohort and membership roles (access), portfolio ids, criteria (framework
    # links, criteria), dated coverage tallies
    with django_assert_max_num_queries(8):
        response = client.get(url(cohort), headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert len(response.context["points"]) >= 2


def test_a_learner_or_an_assessor_cannot_see_the_chart(client, learner, assessor, cohort, outsider):
    for person, status in ((learner, 403), (assessor, 403), (outsider, 404)):
        client.force_login(person)
        assert client.get(url(cohort)).status_code == status
