"""A security key as the second factor, in Chromium with its virtual authenticator (CDP): an
assessor enrols one instead of an authenticator app, logs in with it, and a forged answer at the
second stage is refused. The live server is on http://localhost, which browsers count as secure."""

from __future__ import annotations

import re

import pytest
from allauth.mfa.models import Authenticator
from playwright.sync_api import expect

from tests.e2e.conftest import log_in
from tests.e2e.test_accessibility import FAILING_IMPACTS, _describe, _scan
from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CHALLENGE = re.compile(r"/accounts/2fa/authenticate/$")


def add_virtual_authenticator(page) -> tuple[object, str]:
    """A platform authenticator (a passkey kept by the device) that says yes by itself."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    added = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    return cdp, added["authenticatorId"]


def assert_accessible(page) -> None:
    """axe-core, as the accessibility scan runs it over the other pages."""
    serious = [violation for violation in _scan(page) if violation["impact"] in FAILING_IMPACTS]
    assert serious == [], _describe(serious)


def log_out(page) -> None:
    page.goto("about:blank")
    page.context.clear_cookies()


def test_an_assessor_enrols_a_security_key_and_logs_in_with_it(page, assessor, settings):
    settings.MFA_REQUIRED_ROLES = ["assessor", "tutor", "iqa", "staff", "eqa"]
    cdp, authenticator_id = add_virtual_authenticator(page)

    # Sent to enrol; a key will do instead of an app.
    log_in(page, assessor.username, TEST_PASSWORD)
    page.wait_for_url(re.compile(r"/accounts/2fa/totp/activate/$"))
    page.get_by_role("link", name="Add a security key instead").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a security key")
    assert_accessible(page)
    page.get_by_label("Name of the key").fill("Work laptop")
    page.get_by_role("button", name="Add this key").click()

    # Added: the recovery codes come next, then the pages open.
    expect(page.get_by_role("heading", level=1)).to_have_text("Recovery Codes")
    expect(page.get_by_text("Security key added.")).to_be_visible()
    assert len(cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator_id})["credentials"]) == 1
    page.goto("/assessor/")
    expect(page.get_by_role("heading", level=1)).to_have_text("My learners")

    # The same key cannot be added twice: the page says so.
    page.goto("/accounts/2fa/webauthn/add/")
    page.get_by_role("button", name="Add this key").click()
    expect(page.locator("#webauthn-error")).to_have_text(
        "This security key is already added to your account."
    )
    page.goto("/accounts/2fa/")
    expect(page.get_by_role("heading", name="Security keys and passkeys")).to_be_visible()
    assert_accessible(page)

    # Its last factor stays.
    page.goto("/accounts/2fa/webauthn/")
    expect(page.get_by_role("cell", name="Work laptop", exact=True)).to_be_visible()
    page.get_by_role("link", name="Remove Work laptop").click()
    expect(page.get_by_role("alert")).to_contain_text("Staff accounts must keep a second factor")
    assert_accessible(page)

    # Next time: the password, then the key.
    log_out(page)
    log_in(page, assessor.username, TEST_PASSWORD)
    page.wait_for_url(CHALLENGE)
    page.get_by_role("button", name="Use a security key").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My learners")
    assert Authenticator.objects.get(user=assessor, type=Authenticator.Type.WEBAUTHN).last_used_at


def test_a_forged_key_answer_is_refused_at_the_second_stage(page, assessor, settings):
    settings.MFA_REQUIRED_ROLES = ["assessor", "tutor", "iqa", "staff", "eqa"]
    add_virtual_authenticator(page)
    log_in(page, assessor.username, TEST_PASSWORD)
    page.wait_for_url(re.compile(r"/accounts/2fa/totp/activate/$"))
    page.goto("/accounts/2fa/webauthn/add/")
    page.get_by_role("button", name="Add this key").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Recovery Codes")
    log_out(page)

    # The key's real answer, its signature altered before it is posted.
    log_in(page, assessor.username, TEST_PASSWORD)
    page.wait_for_url(CHALLENGE)
    page.evaluate(
        """async () => {
            const data = JSON.parse(document.getElementById("js_data").textContent);
            const answer = await window.webauthnJSON.get(data.request_options);
            const signature = answer.response.signature;
            answer.response.signature = (signature[0] === "A" ? "B" : "A") + signature.slice(1);
            const form = document.getElementById("webauthn_form");
            form.elements.credential.value = JSON.stringify(answer);
            form.submit();
        }"""
    )
    expect(page.locator("#webauthn-refused")).to_contain_text("could not be checked")
    assert CHALLENGE.search(page.url)
    assert_accessible(page)

    # Something that is not a key's answer at all.
    page.evaluate(
        """() => {
            const form = document.getElementById("webauthn_form");
            form.elements.credential.value = '{"id": "x", "response": {"signature": "!!"}}';
            form.submit();
        }"""
    )
    expect(page.locator("#webauthn-refused")).to_contain_text("could not be checked")
    page.goto("/assessor/")
    assert "/accounts/login/" in page.url  # still not logged in

    # The key itself still works.
    log_in(page, assessor.username, TEST_PASSWORD)
    page.wait_for_url(CHALLENGE)
    page.get_by_role("button", name="Use a security key").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My learners")
