from __future__ import annotations

import pytest

from core import health

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


def test_the_browsers_favicon_request_finds_the_icon(client):
    from django.contrib.staticfiles import finders
    from django.templatetags.static import static

    response = client.get("/favicon.ico")

    assert response.status_code == 301
    assert response.url == static("img/favicon.svg")
    assert finders.find("img/favicon.svg")


def test_the_balancers_question_keeps_an_instance_in_while_only_redis_is_away(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:9/0"

    response = client.get("/healthz?scope=instance")

    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["redis"].startswith("error")


def test_the_balancers_question_takes_an_instance_out_without_its_database(client, settings, monkeypatch):
    settings.REDIS_URL = ""
    monkeypatch.setattr(health, "_database_state", lambda: "error: OperationalError")

    response = client.get("/healthz?scope=instance")

    assert response.status_code == 503
    assert response.json()["status"] == "error"
