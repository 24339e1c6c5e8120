"""The 404 and 403 pages: the site's layout, a heading, a way home, and the reason for a 403."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_a_missing_page_has_the_layout_and_a_way_home(client, learner):
    client.force_login(learner)

    response = client.get("/no-such-page/")

    assert response.status_code == 404
    body = response.content.decode()
    assert '<html lang="en-GB">' in body
    assert '<main id="main"' in body
    assert "Page not found</h1>" in body
    assert f'href="{reverse("portfolio:home")}"' in body


def test_a_refusal_says_why(client, learner):
    client.force_login(learner)

    response = client.get(reverse("portfolio:assessor_home"))

    assert response.status_code == 403
    body = response.content.decode()
    assert '<main id="main"' in body
    assert "Not allowed" in body
    assert "This page is not for your role." in body
