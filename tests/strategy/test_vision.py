from __future__ import annotations

import pytest
from django.urls import reverse

from evidence.models import Evidence
from strategy.completeness import VISION_FIELDS
from strategy.models import Vision

pytestmark = pytest.mark.django_db


@pytest.fixture
def portfolio(learner):
    return learner.portfolios.get()


def url(portfolio):
    return reverse("strategy:vision", kwargs={"portfolio_pk": portfolio.pk})


def test_a_draft_is_kept_and_marked_in_progress(client, learner, portfolio):
    client.force_login(learner)

    response = client.post(url(portfolio), {"vision-vision_statement": "Help within the hour, every day."})

    assert response.status_code == 302
    assert Vision.objects.get(portfolio=portfolio).vision_statement == "Help within the hour, every day."
    assert not Evidence.objects.get(portfolio=portfolio, section_key="strategy.vision").section_complete
    page = client.get(reverse("portfolio:portfolio_detail", args=[portfolio.pk])).content.decode()
    assert "In progress" in page


def test_every_part_written_completes_the_step(client, learner, portfolio):
    client.force_login(learner)

    client.post(url(portfolio), {f"vision-{name}": f"Our {label}." for name, label in VISION_FIELDS})

    assert Evidence.objects.get(portfolio=portfolio, section_key="strategy.vision").section_complete
    assert "Complete" in client.get(url(portfolio)).content.decode()


def test_a_second_save_updates_the_same_row(client, learner, portfolio):
    client.force_login(learner)

    client.post(url(portfolio), {"vision-owned_media": "Facebook page."})
    client.post(url(portfolio), {"vision-owned_media": "Facebook page and Instagram."})

    assert Vision.objects.get(portfolio=portfolio).owned_media == "Facebook page and Instagram."
    assert Vision.objects.count() == 1


def test_an_assessor_cannot_change_the_vision(client, assessor, portfolio):
    client.force_login(assessor)

    response = client.post(url(portfolio), {"vision-vision_statement": "Hijacked"})

    assert response.status_code == 403
    assert not Vision.objects.exists()
