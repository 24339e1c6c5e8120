"""Steps that more than one browser journey takes: enrolling an authenticator app, opening the
tool from a simulated LTI platform's course page, and altering a credential by one character."""

from __future__ import annotations

import re
from urllib.parse import quote

import pyotp
from playwright.sync_api import Browser, BrowserContext, Page

from lti.models import Registration
from tests.lti.platform_sim import INSTRUCTOR, LEARNER, Platform

ACTIVATE_TOTP = re.compile(r"/accounts/2fa/totp/activate/$")


def enrol_totp(page: Page) -> str:
    """On the enrolment page: scan the secret (read it), type the current code, activate.
    Returns the secret, for a later code."""
    page.wait_for_url(ACTIVATE_TOTP)
    secret = page.locator("#authenticator_secret").input_value()
    page.get_by_label("Authenticator code").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Activate").click()
    page.wait_for_url(lambda url: "/totp/activate/" not in url)
    return secret


def register_platform(platform: Platform) -> Registration:
    """The simulated platform registered with the tool, as an administrator does in the admin."""
    return Registration.objects.create(
        name="Simulated Moodle",
        issuer=platform.issuer,
        client_id=platform.client_id,
        deployment_ids=platform.deployment_id,
        auth_login_url=f"{platform.base}/auth",
        auth_token_url=f"{platform.base}/token",
        key_set_url=f"{platform.base}/jwks",
    )


def a_course(platform: Platform) -> None:
    """The platform's course: a teacher and two learners, the first of whom launches."""
    platform.launch_claims = {"teacher-1": [INSTRUCTOR], "learner-1": [LEARNER]}
    platform.members = [
        {"user_id": "teacher-1", "roles": [INSTRUCTOR], "status": "Active", "name": "Tess Teach"},
        {
            "user_id": "learner-1",
            "roles": [LEARNER],
            "status": "Active",
            "given_name": "Lee",
            "family_name": "Learn",
        },
        {
            "user_id": "learner-2",
            "roles": [LEARNER],
            "status": "Active",
            "given_name": "Mo",
            "family_name": "Ahmed",
        },
    ]


def new_person(browser: Browser, base_url: str | None = None) -> tuple[BrowserContext, Page]:
    """A browser of one person's own (its own cookies), patient with a busy machine."""
    context = browser.new_context(base_url=base_url, locale="en-GB", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(30_000)
    return context, page


def open_from_course(page: Page, platform: Platform, tool: str, user: str) -> None:
    """The person follows the link to the tool on the platform's course page."""
    page.goto(f"{platform.base}/course?user={user}&login={quote(tool + '/lti/login/')}")
    page.click("#go")


def altered(token: str) -> str:
    """The credential with one character of its payload changed, its signature left as it was."""
    header, payload, signature = token.split(".")
    middle = len(payload) // 2
    changed = "B" if payload[middle] != "B" else "C"
    return f"{header}.{payload[:middle]}{changed}{payload[middle + 1 :]}.{signature}"
