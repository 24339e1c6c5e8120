from __future__ import annotations

import os
import shutil

import pytest

from tests.lti.conftest import platform  # noqa: F401  (a fixture: the simulated LTI platform)

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail("Debian's chromium is needed for browser tests (scripts/ensure-debian-packages).")
    # Playwright's sync API keeps an event loop in this thread while the browser lives;
    # the ORM calls of the tests and of the database fixtures are still synchronous, so
    # Django's async-safety guard does not apply. Browser tests run last (see conftest).
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, locale="en-GB", viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    refused = csp_refusals(page)
    yield page
    context.close()
    assert refused == [], f"The Content Security Policy refused something: {refused}"


def csp_refusals(page) -> list[str]:
    """What the Content Security Policy refuses on the page (an inline style or script, say),
    as its console shows it: a journey that met one fails, whatever it was testing."""
    refused: list[str] = []
    page.on(
        "console",
        lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None,
    )
    return refused


def log_in(page, username: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
