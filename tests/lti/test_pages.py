"""The two pages the LTI endpoints show a person, read for template source (the walk of every
GET route in tests/test_template_source.py exempts the endpoints and points here)."""

from __future__ import annotations

import pytest

from tests.lti.conftest import start_login
from tests.lti.platform_sim import INSTRUCTOR
from tests.test_template_source import _leaks

pytestmark = pytest.mark.django_db


def test_the_refusal_page_shows_no_template_source(client, platform, registration):
    response = client.post("/lti/launch/", {"id_token": "not.a.jwt", "state": "x"})
    assert response.status_code == 403
    assert _leaks(response.content.decode()) == []


def test_the_open_in_a_new_window_page_shows_no_template_source(client, platform, registration):
    auth = start_login(client, platform, sub="teacher-1")
    client.cookies.clear()
    claims = platform.claims(sub="teacher-1", roles=[INSTRUCTOR], nonce=auth["nonce"])
    response = client.post("/lti/launch/", {"id_token": platform.id_token(claims), "state": auth["state"]})
    assert response.status_code == 200
    assert _leaks(response.content.decode()) == []


def test_an_expired_or_used_ticket_shows_the_refusal_page(client):
    response = client.get("/lti/open/not-a-ticket/")
    assert response.status_code == 403
    assert _leaks(response.content.decode()) == []
