"""Every strategy URL walked by every persona, for reading and for writing.

Learners write their own; their assessor, the cohort's tutors and quality assurers
read (403 on writes); anyone else gets 404, exactly as for a missing portfolio.
"""

from __future__ import annotations

import pytest
from django.urls import get_resolver, reverse

pytestmark = pytest.mark.django_db

PERSONAS = ["anonymous", "learner", "other_learner", "assessor", "other_assessor", "tutor", "iqa", "outsider"]
STEPS = ["vision", "objectives", "platforms", "risks", "regulation", "implementation", "monitoring", "pitch"]
PAGES = [*STEPS, "pitch_presentation"]

READ = {
    "anonymous": 302,
    "learner": 200,
    "other_learner": 404,
    "assessor": 200,
    "other_assessor": 404,
    "tutor": 200,
    "iqa": 200,
    "outsider": 404,
}
# An empty POST: single-form steps save a blank draft and redirect; formset steps
# re-show the page because the formset's management data is missing.
WRITE = {
    "anonymous": 302,
    "other_learner": 404,
    "assessor": 403,
    "other_assessor": 404,
    "tutor": 403,
    "iqa": 403,
    "outsider": 404,
}
LEARNER_WRITE = {"vision": 302, "pitch": 302}


@pytest.fixture
def world(learner, other_learner, assessor, other_assessor, tutor, iqa, outsider):
    return {
        "learner": learner,
        "other_learner": other_learner,
        "assessor": assessor,
        "other_assessor": other_assessor,
        "tutor": tutor,
        "iqa": iqa,
        "outsider": outsider,
        "portfolio": learner.portfolios.get(),
    }


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", PAGES)
def test_it_checks_who_may_read(client, world, persona, name):
    if persona != "anonymous":
        client.force_login(world[persona])

    response = client.get(reverse(f"strategy:{name}", kwargs={"portfolio_pk": world["portfolio"].pk}))

    assert response.status_code == READ[persona]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", STEPS)
def test_it_checks_who_may_write(client, world, persona, name):
    if persona != "anonymous":
        client.force_login(world[persona])

    response = client.post(reverse(f"strategy:{name}", kwargs={"portfolio_pk": world["portfolio"].pk}), {})

    expected = LEARNER_WRITE.get(name, 200) if persona == "learner" else WRITE[persona]
    assert response.status_code == expected


def test_a_missing_portfolio_looks_the_same_as_another_learners(client, world):
    client.force_login(world["learner"])

    response = client.get(reverse("strategy:risks", kwargs={"portfolio_pk": 999999}))

    assert response.status_code == 404


def test_the_matrix_covers_every_strategy_url():
    names = {name for name in get_resolver("strategy.urls").reverse_dict if isinstance(name, str)}
    assert names == set(PAGES)


def test_readers_see_the_work_without_a_save_button(client, world):
    client.force_login(world["assessor"])

    html = client.get(
        reverse("strategy:vision", kwargs={"portfolio_pk": world["portfolio"].pk})
    ).content.decode()

    assert "Only the learner can change it" in html
    assert ">Save</button>" not in html
    assert "disabled" in html
