"""A reader (the assessor, a tutor) opening a step the learner has not filled is told so, rather
than shown a heading over nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("url_name", "says"),
    [
        ("strategy:risks", "No risk has been written yet."),
        ("strategy:objectives", "No objective has been written yet."),
        ("strategy:monitoring", "No cycle has been written yet."),
        ("strategy:regulation", "No improvement has been written yet."),
        ("strategy:platforms", "No platform has been written yet."),
        ("strategy:implementation", "None written yet."),
        ("audit:presence", "No platform rows yet."),
        ("audit:gaps", "rows yet."),
    ],
)
def test_an_empty_step_says_so_to_a_reader(client, learner, assessor, url_name, says):
    client.force_login(assessor)

    html = client.get(reverse(url_name, args=[learner.portfolios.get().pk])).content.decode()

    assert says in html


def test_the_learner_gets_an_empty_row_to_fill_instead(client, learner):
    client.force_login(learner)

    html = client.get(reverse("strategy:risks", args=[learner.portfolios.get().pk])).content.decode()

    assert "No risk has been written yet." not in html
    assert 'name="risks-0-title"' in html or 'name="risks-0-' in html
