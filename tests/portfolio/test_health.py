from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_it_reports_the_database_and_redis(client, settings):
    settings.REDIS_URL = ""

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "redis": "not configured"}


def test_it_fails_when_redis_is_unreachable(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:9/0"  # the discard port: nothing answers there

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["redis"].startswith("error")


def test_it_needs_no_login_and_is_never_cached(client):
    response = client.get("/healthz")

    assert "no-cache" in response["Cache-Control"]
