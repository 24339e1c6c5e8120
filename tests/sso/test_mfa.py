"""A second factor for staff roles: enrol before anything else, then log in with a code."""

from __future__ import annotations

from datetime import timedelta

import pyotp
import pytest
import time_machine
from allauth.mfa.models import Authenticator
from django.contrib.auth import SESSION_KEY
from django.utils import timezone

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
