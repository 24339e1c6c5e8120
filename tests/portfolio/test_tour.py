"""The first log-in's tour: on each role's home page until finished or skipped, and on request again."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.tour import TOURS
from tests.factories import EqaFactory

pytestmark = pytest.mark.django_db

HOMES = {
    "learner": "portfolio:learner_home",
    "assessor": "portfolio:assessor_home",
    "tutor": "portfolio:tutor_home",
    "iqa": "portfolio:iqa_home",
    "eqa": "portfolio:eqa_home",
}


@pytest.fixture
def eqa(db):
    return EqaFactory(username="eqa1")


@pytest.mark.parametrize("persona", list(HOMES))
def test_a_new_person_is_shown_their_roles_tour_on_their_home_page(client, request, learner, persona):
    person = request.getfixturevalue(persona)
    client.force_login(person)

    html = client.get(reverse(HOMES[persona]), follow=True).content.decode()

    assert "Welcome: a quick look around" in html
    for step in TOURS[person.role]:
        assert step.title in html
    assert html.count("data-tour-step=") == len(TOURS[person.role])


@pytest.mark.parametrize("persona", list(HOMES))
def test_every_step_points_at_a_place_the_layout_marks(client, request, learner, persona):
    person = request.getfixturevalue(persona)
    client.force_login(person)

    html = client.get(reverse(HOMES[persona]), follow=True).content.decode()

    for step in TOURS[person.role]:
        assert f'data-tour="{step.target}"' in html


def test_the_tour_is_not_shown_on_other_pages(client, learner):
    portfolio = learner.portfolios.get()
    client.force_login(learner)

    html = client.get(reverse("portfolio:readiness", args=[portfolio.pk])).content.decode()

    assert "Welcome: a quick look around" not in html


def test_finishing_the_tour_hides_it_for_good(client, learner):
    client.force_login(learner)

    response = client.post(reverse("portfolio:tour_done"), headers={"HX-Request": "true"})

    assert response.status_code == 204
    learner.refresh_from_db()
    assert learner.tour_seen_at is not None
    html = client.get(reverse("portfolio:learner_home"), follow=True).content.decode()
    assert "Welcome: a quick look around" not in html


def test_without_the_script_got_it_goes_back_to_the_page(client, learner):
    client.force_login(learner)
    page = reverse("portfolio:portfolio_detail", args=[learner.portfolios.get().pk])

    response = client.post(reverse("portfolio:tour_done"), {"next": page})

    assert response.status_code == 302
    assert response.url == page


def test_it_never_sends_anyone_off_the_site(client, learner):
    client.force_login(learner)

    response = client.post(reverse("portfolio:tour_done"), {"next": "https://evil.example.org/"})

    assert response.url == reverse("portfolio:home")


def test_show_the_tour_again_brings_it_back(client, learner):
    client.force_login(learner)
    client.post(reverse("portfolio:tour_done"))

    client.post(reverse("portfolio:tour_again"))

    html = client.get(reverse("portfolio:learner_home"), follow=True).content.decode()
    assert "Welcome: a quick look around" in html


def test_the_tour_cannot_be_ended_by_a_link(client, learner):
    client.force_login(learner)

    assert client.get(reverse("portfolio:tour_done")).status_code == 405
    learner.refresh_from_db()
    assert learner.tour_seen_at is None


def test_the_tour_costs_no_query(client, learner):
    client.force_login(learner)
    url = reverse("portfolio:portfolio_detail", args=[learner.portfolios.get().pk])
    client.get(url)
    with_tour = len(_queries(client, url))
    client.post(reverse("portfolio:tour_done"))

    assert len(_queries(client, url)) == with_tour


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    return captured.captured_queries
