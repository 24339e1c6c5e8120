"""`make run`'s PDF export in a real browser: scripts/run-embedded (the development server and,
beside it, a Celery worker on kombu's filesystem broker) serves a scratch database; a learner
asks for a PDF, sees the progress page, then downloads the file the worker made."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect

from tests.e2e.conftest import log_in
from tests.portfolio.test_embedded_worker import _free_port, _left

pytestmark = pytest.mark.e2e

ROOT = Path(settings.BASE_DIR)
PASSWORD = "run-embedded-e2e-1"
# A cohort and a learner with a portfolio: all an export needs.
SEED = f"""
from core.models import Cohort, Framework, Portfolio, Role, User
tutor = User.objects.create_user("tutor", password={PASSWORD!r}, role=Role.TUTOR)
cohort = Cohort.objects.create(code="pdf", name="PDF cohort", created_by=tutor)
cohort.frameworks.set(Framework.objects.all())
learner = User.objects.create_user(
    "learner", password={PASSWORD!r}, role=Role.LEARNER, first_name="Amira", last_name="Haddad"
)
Portfolio.objects.create(cohort=cohort, learner=learner)
"""


@pytest.fixture
def served(tmp_path):
    """run-embedded on a free port, its database and files in the test's folder; stopped as
    Ctrl-C stops it, and nothing it started is left running."""
    port = _free_port()
    env = {
        **os.environ,
        "DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "EMBEDDED_BROKER_DIR": str(tmp_path / "celery"),
        "MEDIA_ROOT": str(tmp_path / "media"),
    }
    for name in ("REDIS_URL", "TESTING", "DJANGO_ALLOW_ASYNC_UNSAFE"):
        env.pop(name, None)
    manage = [sys.executable, "manage.py"]
    for command in (
        ["migrate", "--noinput"],
        ["import_framework", *sorted(str(p) for p in (ROOT / "frameworks").glob("*.yaml"))],
        ["shell", "-c", SEED],
    ):
        subprocess.run(manage + command, cwd=ROOT, env=env, check=True, capture_output=True, timeout=300)
    script = subprocess.Popen(
        [ROOT / "scripts" / "run-embedded", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        _wait_until_answering(f"http://127.0.0.1:{port}/accounts/login/")
        yield f"http://127.0.0.1:{port}"
    finally:
        os.killpg(script.pid, signal.SIGINT)
        script.wait(timeout=30)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and _left(script.pid, port):
            time.sleep(0.5)
    assert _left(script.pid, port) == "", "the server or the worker outlived Ctrl-C"


def _wait_until_answering(url: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except urllib.error.HTTPError:
            return  # any answer means the server is up
        except OSError:
            time.sleep(0.5)
    pytest.fail("the development server did not answer")


def test_make_runs_pdf_export_shows_its_progress_then_the_download(browser, served):
    context = browser.new_context(base_url=served, locale="en-GB", accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        log_in(page, "learner", PASSWORD)
        page.wait_for_url("**/portfolios/*/")

        page.get_by_role("button", name="Export as PDF").click()

        # The request only queues the job: the page that follows it is the progress page.
        page.wait_for_url("**/exports/*/")
        expect(page.locator("#export-progress")).to_be_visible()
        download_link = page.get_by_role("link", name="Download the PDF")
        expect(download_link).to_be_visible(timeout=120_000)  # the worker made it; htmx polled
        with page.expect_download() as waiting:
            download_link.click()
        path = waiting.value.path()
        assert Path(path).read_bytes().startswith(b"%PDF-")
    finally:
        context.close()
