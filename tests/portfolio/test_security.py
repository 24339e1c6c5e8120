from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from django.conf import settings
from django.urls import reverse

from tests.conftest import finish

pytestmark = pytest.mark.django_db


def test_pages_carry_a_strict_content_security_policy(client, tutor):
    client.force_login(tutor)

    response = client.get(reverse("portfolio:tutor_home"))

    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "object-src 'none'" in policy
    assert "base-uri 'none'" in policy
    assert "frame-ancestors 'none'" in policy
    # Inline script is allowed only with the per-response nonce, which appears when a page uses one.
    assert re.search(r"script-src 'self'( 'nonce-[\w+/=-]+')?;", policy)
    assert "unsafe-inline" not in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_pages_load_assets_from_our_own_origin_only(client, tutor):
    client.force_login(tutor)

    html = client.get(reverse("portfolio:tutor_home")).content.decode()

    external = re.findall(r'(?:src|href)="(https?://[^"]+)"', html)
    assert external == []
    assert "/static/vendor/bootstrap/css/bootstrap.min.css" in html
    assert "/static/vendor/htmx/htmx.min.js" in html


def test_vendored_assets_are_served(client):
    for path in ("vendor/bootstrap/css/bootstrap.min.css", "vendor/htmx/htmx.min.js", "css/app.css"):
        response = client.get("/static/" + path)
        finish(response)  # read streamed files to the end so they are closed
        assert response.status_code == 200, path


def test_upload_limits_are_set():
    assert settings.DATA_UPLOAD_MAX_NUMBER_FILES <= 20
    assert settings.MAX_UPLOAD_BYTES == settings.MAX_UPLOAD_MB * 1024 * 1024


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    from credentials import keys

    key_file = tmp_path / "credential-signing-key.jwk"  # production has the centre's own key
    keys.write_key_file(key_file, keys.generate_key())
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DEBUG", "TESTING", "DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(
        DEBUG="0",
        SECRET_KEY="x" * 20 + "a-long-random-production-secret-key-0123456789",
        ALLOWED_HOSTS="portfolio.example.org",
        EMAIL_HOST="smtp.example.org",
        CREDENTIAL_SIGNING_KEY_FILE=str(key_file),
    )
    result = subprocess.run(
        [sys.executable, "-W", "ignore", "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "TESTING", "SECRET_KEY"}}
    env["DEBUG"] = "0"
    result = subprocess.run(
        [sys.executable, "-c", "import config.wsgi"],
        cwd=settings.BASE_DIR,
        env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr


def test_management_commands_run_without_a_secret_key_but_deploy_check_flags_it():
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "TESTING", "SECRET_KEY", "DATABASE_URL"}}
    env.update(DEBUG="0", ALLOWED_HOSTS="portfolio.example.org", EMAIL_HOST="smtp.example.org")
    result = subprocess.run(
        [sys.executable, "-W", "ignore", "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "security.W009" in result.stdout + result.stderr
