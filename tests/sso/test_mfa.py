"""A second factor for staff roles: enrol an authenticator app or a security key before anything
else, then log in with a code or the key."""

from __future__ import annotations

import json
import os
import re
from datetime import timedelta

import pyotp
import pytest
import time_machine
from allauth.mfa.models import Authenticator
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from django.contrib.auth import SESSION_KEY
from django.utils import timezone
from fido2.cose import ES256
from fido2.utils import sha256, websafe_encode
from fido2.webauthn import (
    AttestationObject,
    AttestedCredentialData,
    AuthenticatorData,
    CollectedClientData,
)

from tests.factories import TEST_PASSWORD, AssessorFactory, UserFactory
from tests.sso.conftest import start_sso

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
ENROL = "/accounts/2fa/totp/activate/"
CHALLENGE = "/accounts/2fa/authenticate/"


@pytest.fixture(autouse=True)
def _staff_must_enrol(settings):
    settings.MFA_REQUIRED_ROLES = ["assessor", "tutor", "iqa", "staff", "eqa"]


def password_login(client, user):
    return client.post(LOGIN, {"username": user.username, "password": TEST_PASSWORD})


def enrol_totp(client) -> pyotp.TOTP:
    page = client.get(ENROL)
    assert page.status_code == 200
    totp = pyotp.TOTP(page.context["form"].secret)
    response = client.post(ENROL, {"code": totp.now()})
    assert response.status_code == 302, response.content
    assert Authenticator.objects.filter(
        type=Authenticator.Type.TOTP, user__pk=client.session[SESSION_KEY]
    ).exists()
    return totp


def recovery_codes(user) -> list[str]:
    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.RECOVERY_CODES)
    return authenticator.wrap().get_unused_codes()


def test_a_staff_role_without_a_second_factor_is_sent_to_enrol_before_anything_else(client, assessor):
    response = password_login(client, assessor)
    assert response.status_code == 302

    for page in ("/", "/assessor/", "/notifications/"):
        response = client.get(page)
        assert response.status_code == 302
        assert response["Location"] == ENROL
    # What the page loads into itself (the navigation's counts) is left empty, not redirected.
    assert client.get("/notifications/count/", headers={"HX-Request": "true"}).status_code == 204


def test_a_learner_is_not_asked_for_a_second_factor(client, learner):
    response = password_login(client, learner)

    assert response.status_code == 302
    assert client.get(response["Location"], follow=True).status_code == 200
    assert not Authenticator.objects.filter(user=learner).exists()


def test_after_enrolling_the_assessor_logs_in_with_a_code(client, assessor):
    password_login(client, assessor)
    totp = enrol_totp(client)
    assert client.get("/", follow=True).status_code == 200
    client.logout()

    response = password_login(client, assessor)
    assert response.status_code == 302
    assert response["Location"] == CHALLENGE
    assert SESSION_KEY not in client.session  # the password alone opens nothing

    with time_machine.travel(timezone.now() + timedelta(seconds=60)):  # a code not used before
        response = client.post(CHALLENGE, {"code": totp.now()})
    assert response.status_code == 302
    assert int(client.session[SESSION_KEY]) == assessor.pk
    assert client.get("/", follow=True).resolver_match.view_name == "portfolio:assessor_home"


def test_a_wrong_code_is_refused(client, assessor):
    password_login(client, assessor)
    enrol_totp(client)
    client.logout()
    password_login(client, assessor)

    response = client.post(CHALLENGE, {"code": "000000"})

    assert response.status_code == 200
    assert SESSION_KEY not in client.session


def test_a_recovery_code_works_once(client, tutor):
    password_login(client, tutor)
    enrol_totp(client)
    code = recovery_codes(tutor)[0]
    client.logout()

    password_login(client, tutor)
    client.post(CHALLENGE, {"code": code})
    assert int(client.session[SESSION_KEY]) == tutor.pk
    client.logout()

    password_login(client, tutor)
    response = client.post(CHALLENGE, {"code": code})
    assert response.status_code == 200
    assert SESSION_KEY not in client.session


def test_the_login_throttle_still_pauses_a_guessed_password(client, assessor, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    for _ in range(3):
        client.post(LOGIN, {"username": assessor.username, "password": "wrong-guess"})

    response = password_login(client, assessor)

    assert response.status_code == 429
    assert SESSION_KEY not in client.session


def test_a_staff_role_signing_in_through_sso_enrols_and_then_gives_a_code(client, sso):
    assessor = AssessorFactory(email="ivy@college.example")
    client.get(start_sso(client, sso, email="ivy@college.example", verified=True, sub="ivy"))
    assert client.get("/")["Location"] == ENROL
    totp = enrol_totp(client)
    client.logout()

    response = client.get(start_sso(client, sso, email="ivy@college.example", verified=True, sub="ivy"))
    assert response["Location"] == CHALLENGE
    assert SESSION_KEY not in client.session
    with time_machine.travel(timezone.now() + timedelta(seconds=60)):
        client.post(CHALLENGE, {"code": totp.now()})
    assert int(client.session[SESSION_KEY]) == assessor.pk


def test_the_admin_log_in_form_cannot_skip_the_second_factor(client, db):
    admin = UserFactory(username="root", is_staff=True, is_superuser=True, role="staff")
    password_login(client, admin)
    enrol_totp(client)
    client.logout()

    client.post("/admin/login/", {"username": "root", "password": TEST_PASSWORD})
    response = client.get("/admin/")

    assert response.status_code == 302
    assert response["Location"] == LOGIN
    assert SESSION_KEY not in client.session


def test_a_staff_role_cannot_remove_its_authenticator_app(client, iqa):
    password_login(client, iqa)
    enrol_totp(client)

    client.post("/accounts/2fa/totp/deactivate/")

    assert Authenticator.objects.filter(user=iqa, type=Authenticator.Type.TOTP).exists()


def test_the_secret_is_not_stored_in_the_clear(client, assessor):
    password_login(client, assessor)
    totp = enrol_totp(client)

    stored = Authenticator.objects.get(user=assessor, type=Authenticator.Type.TOTP).data
    assert totp.secret not in str(stored)


# --- Security keys (WebAuthn) ------------------------------------------------------------------

KEYS = "/accounts/2fa/webauthn/"
JSON_SCRIPT = re.compile(r'<script[^>]*type="application/json"[^>]*>.*?</script>', re.DOTALL)
ADD_KEY = "/accounts/2fa/webauthn/add/"


class SoftwareKey:
    """A security key in Python: answers the site's WebAuthn challenges as a browser would pass on
    a real key's answers (packed as webauthn-json does), for http://localhost."""

    origin = "http://localhost"

    def __init__(self) -> None:
        self.private_key = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = os.urandom(32)
        self.counter = 0

    def _auth_data(self, rp_id: str, credential_data: bytes = b"") -> AuthenticatorData:
        self.counter += 1
        flags = AuthenticatorData.FLAG.UP | AuthenticatorData.FLAG.UV
        if credential_data:
            flags |= AuthenticatorData.FLAG.AT
        return AuthenticatorData.create(sha256(rp_id.encode()), flags, self.counter, credential_data)

    def register(self, creation_options: dict) -> dict:
        options = creation_options["publicKey"]
        public_key = ES256.from_cryptography_key(self.private_key.public_key())
        credential = AttestedCredentialData.create(b"\0" * 16, self.credential_id, public_key)
        auth_data = self._auth_data(options["rp"]["id"], credential)
        client_data = CollectedClientData.create("webauthn.create", options["challenge"], self.origin)
        return {
            "id": websafe_encode(self.credential_id),
            "rawId": websafe_encode(self.credential_id),
            "type": "public-key",
            "response": {
                "clientDataJSON": websafe_encode(client_data),
                "attestationObject": websafe_encode(AttestationObject.create("none", auth_data, {})),
            },
            "clientExtensionResults": {"credProps": {"rk": False}},
        }

    def sign_in(self, request_options: dict) -> dict:
        options = request_options["publicKey"]
        auth_data = self._auth_data(options["rpId"])
        client_data = CollectedClientData.create("webauthn.get", options["challenge"], self.origin)
        signature = self.private_key.sign(bytes(auth_data) + client_data.hash, ec.ECDSA(hashes.SHA256()))
        return {
            "id": websafe_encode(self.credential_id),
            "rawId": websafe_encode(self.credential_id),
            "type": "public-key",
            "response": {
                "clientDataJSON": websafe_encode(client_data),
                "authenticatorData": websafe_encode(auth_data),
                "signature": websafe_encode(signature),
            },
            "clientExtensionResults": {},
        }


@pytest.fixture
def client(client):
    # WebAuthn binds a key to the site's host: http://localhost is the one plain-HTTP origin
    # allowed (as browsers count it secure), as in the browser tests.
    client.defaults["HTTP_HOST"] = "localhost"
    return client


def add_key(client, key: SoftwareKey, *, name: str = "Blue YubiKey"):
    page = client.get(ADD_KEY)
    assert page.status_code == 200
    credential = key.register(page.context["js_data"]["creation_options"])
    return client.post(ADD_KEY, {"name": name, "credential": json.dumps(credential)})


def sign_in_with_key(client, key: SoftwareKey):
    page = client.get(CHALLENGE)
    assert page.status_code == 200
    credential = key.sign_in(page.context["js_data"]["request_options"])
    return client.post(CHALLENGE, {"credential": json.dumps(credential)})


def stored_key(user, name: str = "Old key") -> Authenticator:
    """A key as allauth stores it, for the rules that only count keys."""
    return Authenticator.objects.create(
        user=user, type=Authenticator.Type.WEBAUTHN, data={"name": name, "credential": {}}
    )


def test_a_staff_role_may_enrol_a_security_key_instead_of_an_app(client, assessor):
    password_login(client, assessor)
    assert client.get("/")["Location"] == ENROL
    assert b"Add a security key instead" in client.get(ENROL).content

    response = add_key(client, SoftwareKey())

    # The key is the second factor; recovery codes come with it, shown next.
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/recovery-codes/"
    assert (
        Authenticator.objects.get(user=assessor, type=Authenticator.Type.WEBAUTHN).wrap().name
        == "Blue YubiKey"
    )
    assert Authenticator.objects.filter(user=assessor, type=Authenticator.Type.RECOVERY_CODES).exists()
    assert client.get("/", follow=True).resolver_match.view_name == "portfolio:assessor_home"


def test_a_staff_role_with_only_a_key_logs_in_with_it_and_is_not_sent_to_enrol(client, assessor):
    key = SoftwareKey()
    password_login(client, assessor)
    add_key(client, key)
    client.logout()

    response = password_login(client, assessor)
    assert response["Location"] == CHALLENGE
    assert SESSION_KEY not in client.session
    page = client.get(CHALLENGE)
    assert b"Use a security key" in page.content

    response = sign_in_with_key(client, key)

    assert response.status_code == 302
    assert int(client.session[SESSION_KEY]) == assessor.pk
    assert client.get("/", follow=True).resolver_match.view_name == "portfolio:assessor_home"
    assert Authenticator.objects.get(user=assessor, type=Authenticator.Type.WEBAUTHN).last_used_at


def test_a_key_counts_as_the_second_factor_a_session_must_have_used(client, tutor):
    stored_key(tutor)
    # A session opened without the key (as by the admin's log-in form), from before the state
    # was noted: looked at once, the key counts, so it is sent to log in, not to enrol.
    client.force_login(tutor)
    session = client.session
    session.pop("sso_mfa_state", None)
    session.save()

    response = client.get("/")

    assert response["Location"] == LOGIN
    assert SESSION_KEY not in client.session


def _answer(**response: str) -> str:
    return json.dumps({"id": "AAAA", "rawId": "AAAA", "type": "public-key", "response": response})


GARBLED_ANSWERS = [
    "not json at all",
    "null",
    "[]",
    '"a string"',
    json.dumps({"id": "x"}),
    _answer(),
    _answer(clientDataJSON="AAAA", authenticatorData="AAAA", signature="AAAA"),
    _answer(clientDataJSON="@@@", authenticatorData="!!", signature=""),
    _answer(
        clientDataJSON=websafe_encode(b'{"type": "webauthn.get"}'), authenticatorData="AAAA", signature="AAAA"
    ),
    _answer(clientDataJSON="AAAA", attestationObject="AAAA"),
    _answer(clientDataJSON=websafe_encode(b"{}"), attestationObject=websafe_encode(b"\xa0")),
]


@pytest.mark.parametrize("credential", GARBLED_ANSWERS)
def test_a_garbled_key_response_is_refused_with_a_clear_message(client, assessor, credential):
    password_login(client, assessor)
    add_key(client, SoftwareKey())
    client.logout()
    password_login(client, assessor)

    response = client.post(CHALLENGE, {"credential": credential})

    assert response.status_code == 200
    assert SESSION_KEY not in client.session
    assert "Your security key’s answer could not be checked" in response.content.decode()


@pytest.mark.parametrize("credential", GARBLED_ANSWERS)
def test_a_garbled_key_is_not_added(client, learner, credential):
    password_login(client, learner)
    client.get(ADD_KEY)

    response = client.post(ADD_KEY, {"name": "Key", "credential": credential})

    assert response.status_code == 200
    assert "The key was not added" in response.content.decode()
    assert not Authenticator.objects.filter(user=learner).exists()


def test_a_forged_key_response_is_refused(client, assessor):
    key = SoftwareKey()
    password_login(client, assessor)
    add_key(client, key)
    client.logout()
    password_login(client, assessor)

    # A key that is not the enrolled one answers with the enrolled key's id: its signature fails.
    impostor = SoftwareKey()
    impostor.credential_id = key.credential_id
    response = sign_in_with_key(client, impostor)

    assert response.status_code == 200
    assert SESSION_KEY not in client.session
    assert "Your security key’s answer could not be checked" in response.content.decode()
    # And a replayed answer from the real key, to a challenge it was not given, fails too.
    page = client.get(CHALLENGE)
    answer = key.sign_in(page.context["js_data"]["request_options"])
    client.get(CHALLENGE)  # a new challenge replaces the one answered
    assert client.post(CHALLENGE, {"credential": json.dumps(answer)}).status_code == 200
    assert SESSION_KEY not in client.session


def test_a_staff_role_cannot_remove_its_last_key(client, iqa):
    password_login(client, iqa)
    add_key(client, SoftwareKey())
    authenticator = Authenticator.objects.get(user=iqa, type=Authenticator.Type.WEBAUTHN)
    remove = f"{KEYS}keys/{authenticator.pk}/remove/"

    for response in (client.get(remove), client.post(remove)):
        assert response.status_code == 302
        assert response["Location"] == KEYS

    assert Authenticator.objects.filter(pk=authenticator.pk).exists()
    page = client.get(KEYS)
    assert "Staff accounts must keep a second factor" in page.content.decode()


def test_a_staff_role_may_remove_a_key_while_another_factor_stays(client, iqa):
    password_login(client, iqa)
    enrol_totp(client)
    add_key(client, SoftwareKey())
    authenticator = Authenticator.objects.get(user=iqa, type=Authenticator.Type.WEBAUTHN)

    response = client.post(f"{KEYS}keys/{authenticator.pk}/remove/")

    assert response.status_code == 302
    assert not Authenticator.objects.filter(pk=authenticator.pk).exists()
    assert Authenticator.objects.filter(user=iqa, type=Authenticator.Type.TOTP).exists()


def test_a_staff_role_with_a_key_may_remove_its_authenticator_app(client, iqa):
    password_login(client, iqa)
    enrol_totp(client)
    add_key(client, SoftwareKey())

    client.post("/accounts/2fa/totp/deactivate/")

    assert not Authenticator.objects.filter(user=iqa, type=Authenticator.Type.TOTP).exists()
    assert client.get("/", follow=True).resolver_match.view_name == "portfolio:iqa_home"


def test_the_app_is_kept_with_a_message_that_says_why(client, iqa):
    password_login(client, iqa)
    enrol_totp(client)

    response = client.post("/accounts/2fa/totp/deactivate/")

    assert "Staff accounts must keep a second factor" in response.content.decode()


def test_the_rules_count_an_app_or_a_key_and_spare_learners(assessor, learner):
    from sso.rules import has_second_factor, may_remove_factor

    assert not has_second_factor(assessor)
    key = stored_key(assessor)
    assert has_second_factor(assessor)
    assert not may_remove_factor(key)  # the last one
    other = stored_key(assessor, "Spare")
    assert may_remove_factor(key)
    assert may_remove_factor(other)

    learners_key = stored_key(learner)
    assert may_remove_factor(learners_key)  # a learner may go without


def test_a_learner_may_add_a_key_and_remove_it_again(client, learner):
    password_login(client, learner)
    response = add_key(client, SoftwareKey(), name="Phone")
    assert response.status_code == 302
    authenticator = Authenticator.objects.get(user=learner, type=Authenticator.Type.WEBAUTHN)

    client.post(f"{KEYS}keys/{authenticator.pk}/remove/")

    assert not Authenticator.objects.filter(user=learner).exists()  # recovery codes went with it
    assert client.get("/", follow=True).status_code == 200


def test_the_key_pages_show_no_template_source(client, assessor):
    key = SoftwareKey()
    password_login(client, assessor)
    add_key(client, key, name="<b>Blue</b> key")
    authenticator = Authenticator.objects.get(user=assessor, type=Authenticator.Type.WEBAUTHN)
    pages = [
        "/accounts/2fa/",
        KEYS,
        ADD_KEY,
        f"{KEYS}keys/{authenticator.pk}/edit/",
        f"{KEYS}keys/{authenticator.pk}/remove/",
        ENROL,
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code in (200, 302), url
        # The key's options are JSON (json_script), where "}}" is data, not template source.
        body = JSON_SCRIPT.sub("", response.content.decode())
        assert not any(marker in body for marker in ("{%", "%}", "{{", "}}", "{#", "#}")), url
        assert "<b>Blue</b>" not in body, url  # the name is the person's text: escaped
    client.logout()
    password_login(client, assessor)
    body = JSON_SCRIPT.sub("", client.get(CHALLENGE).content.decode())
    assert "{%" not in body
    assert "{{" not in body


def test_a_key_name_is_bounded(client, learner):
    password_login(client, learner)
    response = add_key(client, SoftwareKey(), name="k" * 65)

    assert response.status_code == 200
    assert not Authenticator.objects.filter(user=learner, type=Authenticator.Type.WEBAUTHN).exists()


def test_after_a_while_a_key_confirms_it_is_still_you_before_a_change(client, assessor):
    key = SoftwareKey()
    password_login(client, assessor)
    add_key(client, key)

    with time_machine.travel(timezone.now() + timedelta(minutes=30)):
        response = client.get(ADD_KEY)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/reauthenticate/")
        reauthenticate = "/accounts/2fa/webauthn/reauthenticate/?next=" + ADD_KEY
        page = client.get(reauthenticate)
        assert b"Use a security key" in page.content
        answer = key.sign_in(page.context["js_data"]["request_options"])
        response = client.post(reauthenticate, {"credential": json.dumps(answer)})
        assert response.status_code == 302
        assert response["Location"] == ADD_KEY
        assert client.get(ADD_KEY).status_code == 200


def test_a_garbled_key_answer_to_confirm_a_change_is_refused(client, assessor):
    password_login(client, assessor)
    add_key(client, SoftwareKey())

    with time_machine.travel(timezone.now() + timedelta(minutes=30)):
        reauthenticate = "/accounts/2fa/webauthn/reauthenticate/?next=" + ADD_KEY
        client.get(reauthenticate)
        response = client.post(reauthenticate, {"credential": _answer(clientDataJSON="AAAA")}, follow=True)
        assert response.status_code == 200
        assert "Your security key’s answer could not be checked" in response.content.decode()
        assert client.get(ADD_KEY).status_code == 302  # still to be confirmed
