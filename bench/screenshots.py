#!/usr/bin/env python3
"""Each role's home page from the demo, as PNGs in docs/: docs/home-<role>.png, 1280 × 900.

Run from the project root: ``.venv/bin/python bench/screenshots.py [--port 8305] [--out docs]``.
Seeds the demo and an external quality assurer's access (demo.people.add_demo_eqa) in a
scratch SQLite database and media folder, serves them with the development server on the port,
logs each role in with Playwright (Debian's chromium) and writes the pictures. The first
log-in's tour is marked as seen, so each picture shows the page itself. Nothing outside the
scratch folder and the output folder is touched.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
# The role, and the demo person who shows its home.
ROLES = {"learner": "learner", "assessor": "assessor", "tutor": "tutor", "iqa": "iqa", "eqa": "eqa"}
AFTER_SEEDING = """
from django.utils import timezone
from core.models import Cohort, User
from demo.people import DEMO_COHORT_CODE, add_demo_eqa
add_demo_eqa(Cohort.objects.get(code=DEMO_COHORT_CODE))
User.objects.update(tour_seen_at=timezone.now())
"""


def _manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


def _wait_until_answering(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"The server at {url} did not answer.")


def _shoot(base_url: str, out: Path, password: str) -> list[Path]:
    from playwright.sync_api import sync_playwright

    written = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        for role, username in ROLES.items():
            context = browser.new_context(
                base_url=base_url, locale="en-GB", viewport={"width": 1280, "height": 900}
            )
            page = context.new_page()
            page.goto("/accounts/login/")
            page.get_by_label("Username").fill(username)
            page.get_by_label("Password").fill(password)
            page.get_by_role("button", name="Log in").click()
            page.wait_for_url(lambda url: "/accounts/login/" not in url)
            # Fragments htmx loads with the page (the unread count), and the fonts, in place.
            page.wait_for_load_state("networkidle")
            page.wait_for_function("() => !document.querySelector('[hx-trigger=load], .htmx-request')")
            path = out / f"home-{role}.png"
            page.screenshot(path=str(path))
            written.append(path)
            context.close()
        browser.close()
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8305)
    parser.add_argument("--out", type=Path, default=ROOT / "docs")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="screenshots-") as scratch:
        env = {
            **os.environ,
            "DEBUG": "1",
            "MFA_REQUIRED_ROLES": "",  # as make run: the demo's staff have no authenticator app
            "DATABASE_URL": f"sqlite:///{scratch}/demo.sqlite3",
            "MEDIA_ROOT": f"{scratch}/media",
            "DJANGO_SETTINGS_MODULE": "config.settings",
        }
        env.pop("REDIS_URL", None)
        _manage(env, "migrate", "--noinput", "--verbosity", "0")
        _manage(env, "seed_demo")
        _manage(env, "shell", "-c", AFTER_SEEDING)
        server = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", f"127.0.0.1:{options.port}", "--noreload"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            base_url = f"http://127.0.0.1:{options.port}"
            _wait_until_answering(f"{base_url}/accounts/login/")
            sys.path.insert(0, str(ROOT))
            os.environ.update(DEBUG="1", DJANGO_SETTINGS_MODULE="config.settings")
            from django.conf import settings

            for path in _shoot(base_url, options.out, settings.DEMO_PASSWORD):
                print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
